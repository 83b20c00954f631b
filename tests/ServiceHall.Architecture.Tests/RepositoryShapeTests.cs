using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ServiceHall.Architecture.Tests;

/// <summary>What keeps the tree easy to read and the shipped programs lean (issue 16): file sizes, who references what.</summary>
public sealed partial class RepositoryShapeTests
{
    private const int MaxLines = 500;

    [Fact]
    public void NoHandWrittenSourceFileIsLongerThanOneReaderHoldsInMind()
    {
        var tooLong = SourceFiles()
            .Select(f => (File: f, Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"  {Path.GetRelativePath(Repository.Root, f.File)}: {f.Lines} lines")
            .ToList();

        Assert.True(tooLong.Count == 0, $"Split along a line a newcomer would guess (at most {MaxLines} lines):\n{string.Join('\n', tooLong)}");
    }

    [Fact]
    public void NoTestProjectReferencesTheBenchOrCompilesAnotherProjectsFiles()
    {
        var problems = new List<string>();
        foreach (var project in Directory.EnumerateFiles(Path.Combine(Repository.Root, "tests"), "*.csproj", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(project);
            var xml = XDocument.Load(project);
            foreach (var reference in xml.Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")?.Value ?? "";
                if (include.Replace('\\', '/').Contains("/bench/", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"  {name} references {include}: the bench is a program, not a library; shared rig goes in tests/ServiceHall.Testing");
                }
            }

            foreach (var compile in xml.Descendants("Compile"))
            {
                var include = compile.Attribute("Include")?.Value ?? "";
                if (include.StartsWith("..", StringComparison.Ordinal))
                {
                    problems.Add($"  {name} compiles {include} by link: reference the project that owns it");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TheVillageProgramCarriesNoSqlServerClient()
    {
        // The village is built from its own project references only: SQL Server is a provider the city and townships add.
        var deps = Path.Combine(Repository.Root, "village-node", "bin", Repository.Configuration, "net10.0", "servicehall-village-node.deps.json");
        Assert.True(File.Exists(deps), $"{deps} is missing: the village project was not built with this test.");

        var text = File.ReadAllText(deps);

        Assert.DoesNotContain("Microsoft.Data.SqlClient", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ServiceHall.Sync.SqlServer", text, StringComparison.Ordinal);
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Repository.Root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !GeneratedOrBuilt().IsMatch(Path.GetRelativePath(Repository.Root, f).Replace('\\', '/')));

    [GeneratedRegex(@"(^|/)(bin|obj|\.git|devnet-data)/")]
    private static partial Regex GeneratedOrBuilt();
}
