using System.Text.Json;
using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

public sealed class DevnetManifestTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static DevnetManifest Sample() => new(
    [
        new DevnetManifestNode("city", "city", "http://127.0.0.1:6200", 1234, "/d/city/city.db", null),
        new DevnetManifestNode("t01", "township", "http://127.0.0.1:6201", 1235, "/d/t01/t01.db", "http://127.0.0.1:6200"),
    ]);

    [Fact]
    public void Save_Manifest_WritesDocumentedCamelCaseShape()
    {
        Sample().Save(_dir.Path);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir.Path, "devnet.json")));
        var nodes = doc.RootElement.GetProperty("nodes");
        Assert.Equal(2, nodes.GetArrayLength());
        var t01 = nodes[1];
        Assert.Equal("t01", t01.GetProperty("id").GetString());
        Assert.Equal("township", t01.GetProperty("level").GetString());
        Assert.Equal("http://127.0.0.1:6201", t01.GetProperty("url").GetString());
        Assert.Equal(1235, t01.GetProperty("pid").GetInt32());
        Assert.Equal("/d/t01/t01.db", t01.GetProperty("store").GetString());
        Assert.Equal("http://127.0.0.1:6200", t01.GetProperty("upstream").GetString());
        Assert.Equal(JsonValueKind.Null, nodes[0].GetProperty("upstream").ValueKind);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "devnet.json.tmp")));
    }

    [Fact]
    public void TryLoad_AfterSave_RoundTrips()
    {
        Sample().Save(_dir.Path);

        var loaded = DevnetManifest.TryLoad(_dir.Path);

        Assert.NotNull(loaded);
        Assert.Equal(Sample().Nodes, loaded.Nodes);
    }

    [Fact]
    public void TryLoad_NoFile_Null()
    {
        Assert.Null(DevnetManifest.TryLoad(_dir.Path));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"nodes\":[{\"id\":\"city\"}]}")]
    [InlineData("{}")]
    public void TryLoad_NotAManifest_ThrowsNamingTheFile(string content)
    {
        File.WriteAllText(Path.Combine(_dir.Path, "devnet.json"), content);

        var ex = Assert.Throws<InvalidDataException>(() => DevnetManifest.TryLoad(_dir.Path));

        Assert.Contains(Path.Combine(_dir.Path, "devnet.json"), ex.Message, StringComparison.Ordinal);
    }
}
