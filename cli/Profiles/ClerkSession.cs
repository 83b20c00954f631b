using System.CommandLine;
using ServiceHall.Cli.Grpc;

namespace ServiceHall.Cli.Profiles;

/// <summary>
/// The clerk this CLI process signs in as: <c>--as CLERK</c> if given, else the clerk of the profile that fits the command
/// (see <see cref="ClerkProfile.Choose"/>). Every channel that <see cref="NodeChannel"/> opens for a command sends the
/// current clerk's credential on each call; a command that needs another clerk half-way (a decision by the lead
/// department) switches with <see cref="Use"/>.
/// </summary>
internal static class ClerkSession
{
    private static ClerkProfile? _profile;
    private static bool _loaded;

    /// <summary><c>--as CLERK</c>: act as this clerk of the profile (global option).</summary>
    public static Option<string> AsOption { get; } = new("--as")
    {
        Description = "Act as this clerk of the profile (default: the profile's clerk for the node and command)",
        Recursive = true,
    };

    /// <summary><c>--profile DIR</c>: where clerks.json is (global option).</summary>
    public static Option<string> ProfileOption { get; } = new("--profile")
    {
        Description = $"Profile directory holding {ClerkProfile.FileName} and {TlsProfile.FileName} (default: ${ClerkProfile.EnvironmentVariable}, else ./devnet-data)",
        Recursive = true,
    };

    /// <summary>The clerk given with <c>--as</c>, if any.</summary>
    public static string? As { get; private set; }

    /// <summary>The profile directory in use.</summary>
    public static string Directory { get; private set; } = ClerkProfile.Directory(null);

    /// <summary>The clerk whose credential calls carry now; null sends none.</summary>
    public static ClerkCredential? Current { get; private set; }

    /// <summary>Takes <c>--as</c> and <c>--profile</c> from the parsed command line.</summary>
    public static void Configure(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        As = parse.GetValue(AsOption);
        Directory = ClerkProfile.Directory(parse.GetValue(ProfileOption));
        _loaded = false;
        _profile = null;
        Current = null;
    }

    /// <summary>Picks the clerk for a call to <paramref name="node"/> that needs <paramref name="need"/>.</summary>
    /// <exception cref="CommandFailedException"><c>--as</c> names a clerk the profile lacks.</exception>
    public static void Use(Uri node, ClerkNeed need, string? department = null)
    {
        var profile = Profile();
        if (As is { } id)
        {
            Current = profile?.Find(id) ?? throw new CommandFailedException($"--as {id}: no such clerk in {Path.Combine(Directory, ClerkProfile.FileName)}{(profile is null ? " (no such file)" : string.Empty)}.");
            return;
        }

        Current = profile?.Choose(node, need, department);
    }

    /// <summary>What the operator reads after an UNAUTHENTICATED answer: who the CLI signed in as, from where.</summary>
    public static string Hint() => Current is { } c
        ? $" (signed in as {c.Id} from {Path.Combine(Directory, ClerkProfile.FileName)})"
        : $" (no clerk credential: {Path.Combine(Directory, ClerkProfile.FileName)} {(Profile() is null ? "does not exist" : "has no clerk for this node")}; give --profile DIR or --as CLERK)";

    private static ClerkProfile? Profile()
    {
        if (!_loaded)
        {
            _profile = ClerkProfile.Load(Directory);
            _loaded = true;
        }

        return _profile;
    }
}
