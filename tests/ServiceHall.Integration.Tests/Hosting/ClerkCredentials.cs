using System.Text;
using System.Text.Json;
using Grpc.Core;

namespace ServiceHall.Integration.Tests.Hosting;

/// <summary>Clerk credentials as gRPC metadata, for tests that call real nodes.</summary>
public static class ClerkCredentials
{
    /// <summary><c>authorization: Basic base64(id:secret)</c>.</summary>
    public static Metadata Basic(string id, string secret) =>
        new() { { "authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")) } };

    /// <summary>The first administrator that a new city wrote to <c>clerks.json</c> in its data directory.</summary>
    public static Metadata FirstAdministrator(string cityDataDir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(cityDataDir, "clerks.json")));
        var admin = json.RootElement.GetProperty("clerks")[0];
        return Basic(admin.GetProperty("id").GetString()!, admin.GetProperty("secret").GetString()!);
    }
}
