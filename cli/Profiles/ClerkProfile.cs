using System.Text;
using System.Text.Json;
using Grpc.Core;
using ServiceHall.Cli.Commands;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;

namespace ServiceHall.Cli.Profiles;

/// <summary>One clerk's credential in a profile.</summary>
/// <param name="Id">Clerk id, e.g. <c>window@t01-v01</c>.</param>
/// <param name="Secret">The secret.</param>
/// <param name="Node">The node the clerk works at.</param>
/// <param name="Department">Department code.</param>
/// <param name="Role"><c>window</c>, <c>reviewer</c>, <c>manager</c>, <c>operator</c> or <c>administrator</c>.</param>
internal sealed record ClerkCredential(string Id, string Secret, string Node, string Department, string Role)
{
    /// <summary>The gRPC metadata value: <c>Basic base64(id:secret)</c>.</summary>
    public string Authorization => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Id}:{Secret}"));

    /// <summary>Call metadata carrying this credential.</summary>
    public Metadata Headers => new() { { "authorization", Authorization } };

    /// <summary>A fresh random secret (URL-safe base64 of 24 random bytes).</summary>
    public static string NewSecret() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}

/// <summary>What a command needs its clerk to be.</summary>
internal enum ClerkNeed
{
    /// <summary>A clerk who handles cases at the node (a window clerk unless a department is asked for).</summary>
    Cases,

    /// <summary>An operator of the node (or the administrator at the city).</summary>
    Operator,

    /// <summary>A city administrator.</summary>
    Administrator,
}

/// <summary>
/// <c>clerks.json</c> in a profile directory: the clerks' credentials the CLI signs in with, which clerk is the default,
/// and the URL of each node (so that the CLI knows which node a <c>--node</c> URL is). devnet writes it (mode 0600); a
/// city writes one with its first administrator into its data directory.
/// </summary>
internal sealed class ClerkProfile
{
    /// <summary>File name in the profile directory.</summary>
    public const string FileName = "clerks.json";

    /// <summary>Environment variable naming the profile directory.</summary>
    public const string EnvironmentVariable = "SERVICEHALL_PROFILE";

    /// <summary>The clerk used when no other fits.</summary>
    public string? Default { get; init; }

    /// <summary>Node id → URL.</summary>
    public Dictionary<string, string> Nodes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The clerks.</summary>
    public List<ClerkCredential> Clerks { get; init; } = [];

    /// <summary>The profile directory: <paramref name="option"/>, else <c>$SERVICEHALL_PROFILE</c>, else devnet's default data directory.</summary>
    public static string Directory(string? option) =>
        !string.IsNullOrWhiteSpace(option) ? option
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
        : DevnetCommands.DefaultDirectory;

    /// <summary>The profile in <paramref name="directory"/>, or null if it has no <see cref="FileName"/>.</summary>
    /// <exception cref="CommandFailedException">The file is not a readable profile.</exception>
    public static ClerkProfile? Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var profile = JsonSerializer.Deserialize<ClerkProfile>(File.ReadAllText(path), JsonOutput.Options)
                ?? throw new CommandFailedException($"{path} is empty; it should hold {{\"default\", \"nodes\", \"clerks\"}}.");
            if (profile.Clerks.Any(c => string.IsNullOrWhiteSpace(c.Id) || string.IsNullOrEmpty(c.Secret)))
            {
                throw new CommandFailedException($"{path}: every clerk needs an id and a secret.");
            }

            return profile;
        }
        catch (JsonException ex)
        {
            throw new CommandFailedException($"{path} is not a clerk profile: {ex.Message}");
        }
    }

    /// <summary>Writes the profile to <paramref name="directory"/>, readable by this user only.</summary>
    public void Save(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var temp = path + ".tmp";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(JsonOutput.Serialize(this));
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The clerk named <paramref name="id"/>, or null.</summary>
    public ClerkCredential? Find(string id) => Clerks.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.Ordinal));

    /// <summary>The id of the node at <paramref name="url"/>, if the profile knows it.</summary>
    public string? NodeAt(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Nodes.FirstOrDefault(n => Uri.TryCreate(n.Value, UriKind.Absolute, out var u) && Uri.Compare(u, url, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0).Key;
    }

    /// <summary>
    /// The clerk that fits a command at <paramref name="url"/>: of that node and the needed role (and department, when
    /// given); else the default clerk. Null if the profile has none that fits and no default.
    /// </summary>
    public ClerkCredential? Choose(Uri url, ClerkNeed need, string? department = null)
    {
        var node = NodeAt(url);
        bool Is(ClerkCredential c, params string[] roles) => roles.Contains(c.Role, StringComparer.Ordinal);
        var fit = need switch
        {
            ClerkNeed.Administrator => Clerks.FirstOrDefault(c => Is(c, "administrator")),
            ClerkNeed.Operator => Clerks.FirstOrDefault(c => c.Node == node && Is(c, "operator"))
                ?? Clerks.FirstOrDefault(c => c.Node == node && Is(c, "administrator")),
            _ when department is not null => Clerks.FirstOrDefault(c => c.Node == node && c.Department == department && Is(c, "reviewer", "manager", "window")),
            _ => Clerks.FirstOrDefault(c => c.Node == node && Is(c, "window"))
                ?? Clerks.FirstOrDefault(c => c.Node == node && Is(c, "reviewer", "manager")),
        };
        return fit ?? (Default is { } d ? Find(d) : null);
    }
}
