using System.Text.Json;
using System.Text.Json.Serialization;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Clerks;

/// <summary>
/// The first city administrator: when a city starts with no clerk at all, it registers <see cref="AdministratorId"/>
/// with a random secret and writes the credential, readable by the node's user only (0600), to
/// <c>&lt;data&gt;/clerks.json</c> in the format the CLI reads as a profile. That file is the way in: an administrator
/// signs in with it, creates the real clerks and can then reset or disable <c>admin</c>.
/// </summary>
public static class ClerkBootstrap
{
    /// <summary>Id of the first administrator.</summary>
    public const string AdministratorId = "admin";

    /// <summary>File name of the credential written into the city's data directory.</summary>
    public const string FileName = "clerks.json";

    /// <summary>Department code recorded for the administrator (the hall's own administration, 行政审批).</summary>
    public const string AdministratorDepartment = "ADM";

    /// <summary>Registers the first administrator if the city holds no clerk; returns the file written, or null if nothing was done.</summary>
    public static string? EnsureAdministrator(ClerkRegistry registry, NodeIdentity node, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(node);
        if (node.Level != NodeLevel.City || !registry.IsEmpty())
        {
            return null;
        }

        var secret = ClerkSecrets.Generate();
        var path = Path.Combine(Path.GetFullPath(dataDir), FileName);
        var json = JsonSerializer.Serialize(
            new CredentialFile(AdministratorId, [new CredentialFile.Clerk(AdministratorId, secret, node.NodeId, AdministratorDepartment, ClerkRegistry.RoleText(ClerkRole.Administrator))]),
            CredentialFileJsonContext.Default.CredentialFile);

        File.Delete(path);

        // The file first, with its mode set before the secret is in it; the clerk only once the file holds the secret.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(json);
        }

        registry.Add(AdministratorId, node.NodeId, AdministratorDepartment, ClerkRole.Administrator, "City administrator", secret);
        return path;
    }
}

/// <summary>The credential file's shape: the CLI profile format (<c>{"default": id, "clerks": [...]}</c>).</summary>
internal sealed record CredentialFile(string Default, IReadOnlyList<CredentialFile.Clerk> Clerks)
{
    /// <summary>One clerk's credential.</summary>
    internal sealed record Clerk(string Id, string Secret, string Node, string Department, string Role);
}

/// <summary>Writes <see cref="CredentialFile"/> indented in camel case, generated at build time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CredentialFile))]
internal sealed partial class CredentialFileJsonContext : JsonSerializerContext;
