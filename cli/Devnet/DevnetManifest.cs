using System.Text.Json;
using ServiceHall.Cli.Output;

namespace ServiceHall.Cli.Devnet;

/// <summary>One node as recorded in devnet.json.</summary>
/// <param name="Id">Node id.</param>
/// <param name="Level"><c>city</c>, <c>township</c> or <c>village</c>.</param>
/// <param name="Url">Listen URL.</param>
/// <param name="Pid">Process id of the node program.</param>
/// <param name="Store">Store location as the node reports it (its SQLite file), else its data directory.</param>
/// <param name="Upstream">Parent URL; null for the city.</param>
/// <param name="WebUrl">URL of the node's web front desk (HTTP/1.1, for a browser); null in a manifest written before it existed.</param>
internal sealed record DevnetManifestNode(string Id, string Level, string Url, int Pid, string Store, string? Upstream, string? WebUrl = null)
{
    /// <summary>Data directory of the node under the devnet directory.</summary>
    public string DataDirectory(string devnetDirectory) => Path.Combine(devnetDirectory, Id);
}

/// <summary>
/// <c>DIR/devnet.json</c>: the nodes a devnet started, so that <c>devnet status</c> and <c>devnet down</c>
/// (often from another shell, after <c>up --detach</c> returned) find them. Shape:
/// <c>{"nodes":[{"id","level","url","pid","store","upstream","webUrl"}],"proxy":{"pid","controlPort","links":{"t01":port,…}}}</c>.
/// </summary>
/// <param name="Nodes">The nodes, in start order.</param>
/// <param name="Proxy">The link proxies (child → parent) and their control port; null in a devnet without them.</param>
internal sealed record DevnetManifest(IReadOnlyList<DevnetManifestNode> Nodes, DevnetProxyRecord? Proxy = null)
{
    /// <summary>File name of the manifest inside the devnet directory.</summary>
    public const string FileName = "devnet.json";

    /// <summary>Path of the manifest of a devnet directory.</summary>
    public static string PathIn(string devnetDirectory) => Path.Combine(devnetDirectory, FileName);

    /// <summary>Reads the manifest of a devnet directory; null if there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a devnet manifest.</exception>
    public static DevnetManifest? TryLoad(string devnetDirectory)
    {
        var path = PathIn(devnetDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var manifest = JsonSerializer.Deserialize<DevnetManifest>(File.ReadAllText(path), JsonOutput.Options);
            if (manifest?.Nodes is null || manifest.Nodes.Any(n => string.IsNullOrEmpty(n.Id) || n.Pid <= 0))
            {
                throw new InvalidDataException($"{path} is not a devnet manifest (expected {{\"nodes\":[{{\"id\",\"pid\",…}}]}}).");
            }

            return manifest;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Loads the manifest for a devnet command, or explains why it cannot: a file that is not a manifest is reported on
    /// <paramref name="error"/> as <c>error: …</c> followed by <paramref name="advice"/>, and gives false. No file gives
    /// true and a null <paramref name="manifest"/> (each command says what that means for it).
    /// </summary>
    public static bool LoadOrExplain(string devnetDirectory, TextWriter error, out DevnetManifest? manifest, string advice = "")
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            manifest = TryLoad(devnetDirectory);
            return true;
        }
        catch (InvalidDataException ex)
        {
            error.WriteLine($"error: {ex.Message}{advice}");
            manifest = null;
            return false;
        }
    }

    /// <summary>Removes the manifest of a devnet directory, if any (its nodes are stopped).</summary>
    public static void Delete(string devnetDirectory)
    {
        var path = PathIn(devnetDirectory);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>Writes the manifest atomically (temp file, then rename), so a reader never sees half of it.</summary>
    public void Save(string devnetDirectory)
    {
        var path = PathIn(devnetDirectory);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonOutput.Serialize(this));
        File.Move(temp, path, overwrite: true);
    }
}
