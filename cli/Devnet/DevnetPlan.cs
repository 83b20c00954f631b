using System.Globalization;

namespace ServiceHall.Cli.Devnet;

/// <summary>One node of a devnet: who it is, where it listens and who its parent is.</summary>
/// <param name="Id">Node id: <c>city</c>, <c>t01</c>, <c>t01-v01</c>, …</param>
/// <param name="Level"><c>city</c>, <c>township</c> or <c>village</c>.</param>
/// <param name="Port">TCP port on 127.0.0.1.</param>
/// <param name="ParentId">Parent node id; null for the city.</param>
/// <param name="ParentPort">Parent's port; null for the city.</param>
/// <param name="WebPort">TCP port of the node's web front desk (HTTP/1.1) on 127.0.0.1.</param>
internal sealed record DevnetNodeSpec(string Id, string Level, int Port, string? ParentId, int? ParentPort, int WebPort)
{
    /// <summary>Listen URL of the node: https when <see cref="Secured"/>, else http (the cleartext development mode).</summary>
    public string Url => DevnetPlan.UrlOf(Port, Secured);

    /// <summary>True for a node that serves mutual TLS with an enrolled certificate; false runs it with <c>--insecure-cleartext</c>.</summary>
    public bool Secured { get; init; }

    /// <summary>URL of the node's web front desk.</summary>
    public string WebUrl => DevnetPlan.UrlOf(WebPort);

    /// <summary>Port of the link proxy this node reaches its parent through (see <see cref="LinkProxy"/>); null = direct.</summary>
    public int? ViaPort { get; init; }

    /// <summary>Upstream URL: the link proxy's, else the parent's listen URL; null for the city.</summary>
    public string? UpstreamUrl => (ViaPort ?? ParentPort) is { } p ? DevnetPlan.UrlOf(p, Secured) : null;
}

/// <summary>
/// The topology and port plan of a devnet: one city, <c>N</c> townships, <c>M</c> villages under each.
/// Ports are consecutive from the base port: the city on <c>base</c>, township <c>i</c> (1-based) on
/// <c>base + i</c>, and village <c>j</c> of township <c>i</c> on <c>base + N + (i − 1)·M + j</c>.
/// With the defaults (base 5100, 2 × 2): city 5100, t01 5101, t02 5102, t01-v01 5103, t01-v02 5104,
/// t02-v01 5105, t02-v02 5106. The web front desks follow, in the same order: node <c>k</c> (0-based, start order) of
/// <c>n</c> serves its pages on <c>base + n + k</c> (defaults: city 5107 … t02-v02 5113).
/// </summary>
internal static class DevnetPlan
{
    /// <summary>Default number of townships.</summary>
    public const int DefaultTownships = 2;

    /// <summary>Default number of villages under each township.</summary>
    public const int DefaultVillagesPerTownship = 2;

    /// <summary>Default base port (the city's).</summary>
    public const int DefaultBasePort = 5100;

    /// <summary>Most townships (ids have two digits).</summary>
    public const int MaxTownships = 99;

    /// <summary>Most villages per township (ids have two digits).</summary>
    public const int MaxVillagesPerTownship = 99;

    /// <summary>Listen URL for a loopback port (https for a secured node).</summary>
    public static string UrlOf(int port, bool secured = false) =>
        string.Create(CultureInfo.InvariantCulture, $"{(secured ? "https" : "http")}://127.0.0.1:{port}");

    /// <summary>Id of township <paramref name="i"/> (1-based): t01, t02, …</summary>
    public static string TownshipId(int i) => string.Create(CultureInfo.InvariantCulture, $"t{i:D2}");

    /// <summary>Id of village <paramref name="j"/> of township <paramref name="i"/> (1-based): t01-v01, …</summary>
    public static string VillageId(int i, int j) => string.Create(CultureInfo.InvariantCulture, $"t{i:D2}-v{j:D2}");

    /// <summary>
    /// The nodes of a devnet, city first, then townships, then villages (the start order).
    /// Throws <see cref="ArgumentException"/> with a message for the operator if the shape or ports are out of range.
    /// </summary>
    public static IReadOnlyList<DevnetNodeSpec> Create(int townships, int villagesPerTownship, int basePort)
    {
        var error = Validate(townships, villagesPerTownship, basePort);
        if (error is not null)
        {
            throw new ArgumentException(error);
        }

        var count = 1 + townships + (townships * villagesPerTownship);
        var web = basePort + count;
        var nodes = new List<DevnetNodeSpec> { new("city", "city", basePort, null, null, web++) };
        for (var i = 1; i <= townships; i++)
        {
            nodes.Add(new(TownshipId(i), "township", basePort + i, "city", basePort, web++));
        }

        for (var i = 1; i <= townships; i++)
        {
            for (var j = 1; j <= villagesPerTownship; j++)
            {
                nodes.Add(new(VillageId(i, j), "village", basePort + townships + ((i - 1) * villagesPerTownship) + j, TownshipId(i), basePort + i, web++));
            }
        }

        return nodes;
    }

    /// <summary>Why a devnet shape cannot be planned, or null if it can.</summary>
    public static string? Validate(int townships, int villagesPerTownship, int basePort)
    {
        if (townships is < 0 or > MaxTownships)
        {
            return $"--townships must be between 0 and {MaxTownships} (got {townships}).";
        }

        if (villagesPerTownship is < 0 or > MaxVillagesPerTownship)
        {
            return $"--villages-per-township must be between 0 and {MaxVillagesPerTownship} (got {villagesPerTownship}).";
        }

        var count = 1 + townships + ((long)townships * villagesPerTownship);
        var last = (long)basePort + (2 * count) - 1;
        if (basePort is < 1024 or > 65535 || last > 65535)
        {
            return $"--base-port {basePort} does not leave room for {2 * count} consecutive ports "
                + "(the devnet uses one port per node for gRPC and one for its web pages, from base on; ports 1024–65535).";
        }

        return null;
    }
}
