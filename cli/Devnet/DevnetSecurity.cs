using Grpc.Core;
using ServiceHall.Cli.Security;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Profiles;

namespace ServiceHall.Cli.Devnet;

/// <summary>
/// The secured devnet (the default; <c>devnet up --insecure</c> runs cleartext): the city makes its CA and the
/// bootstrap operator credential at its first start; the devnet copies that credential into the operator profile
/// <c>DIR/tls-profile.json</c> (so every CLI command finds it with no flag when DIR is <c>./devnet-data</c>, and with
/// <c>--profile DIR</c> otherwise), registers every other node at the city and enrols it with its token, its key made
/// in <c>DIR/&lt;id&gt;/tls/</c>, before the node starts.
/// </summary>
internal static class DevnetSecurity
{
    /// <summary>
    /// The devnet's operator profile, written from the city's bootstrap credential if the city has made it; null while
    /// the city has not yet. The profile becomes the one every https channel of this process uses.
    /// </summary>
    public static TlsProfile? TryPrepareProfile(string dir)
    {
        if (TlsProfile.Current is { } current && Path.GetFullPath(current.Directory) == Path.GetFullPath(dir))
        {
            return current;
        }

        var cityTls = Path.Combine(dir, "city", "tls");
        string ca = Path.Combine(cityTls, "ca.crt"), certificate = Path.Combine(cityTls, "operator.crt"), key = Path.Combine(cityTls, "operator.key");
        if (!File.Exists(ca) || !File.Exists(certificate) || !File.Exists(key))
        {
            return null;
        }

        TlsProfile.Write(dir, File.ReadAllText(ca), File.ReadAllText(certificate), File.ReadAllText(key));
        return TlsProfile.Current = TlsProfile.TryLoad(dir);
    }

    /// <summary>Uses the profile a devnet wrote into <paramref name="dir"/>, if there is one (devnet status on a secured devnet).</summary>
    public static void UseProfileOf(string dir)
    {
        if (TlsProfile.TryLoad(dir) is { } profile)
        {
            TlsProfile.Current = profile;
        }
    }

    /// <summary>True if node <paramref name="id"/> of the devnet holds its certificate.</summary>
    public static bool IsEnrolled(string dir, string id) =>
        new[] { "node.crt", "node.key", "ca.crt" }.All(f => File.Exists(Path.Combine(dir, id, "tls", f)));

    /// <summary>Enrols the nodes of <paramref name="tier"/> that have a token at the city; a failure stops the devnet with the node's name.</summary>
    public static async Task EnrolAsync(Uri city, IReadOnlyDictionary<string, string> tokens, IReadOnlyList<DevnetNodeSpec> tier, string dir, TextWriter output, CancellationToken cancellationToken)
    {
        var enrolled = 0;
        foreach (var (id, token) in tier.Where(n => tokens.ContainsKey(n.Id)).Select(n => (n.Id, tokens[n.Id])))
        {
            enrolled++;
            try
            {
                await NodeEnrolment.EnrolAsync(city, id, token, Path.Combine(dir, id), host: null, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DevnetStartException($"enrolling node {id} at the city failed: {NodeChannel.Describe(city, ex)}");
            }
            catch (CommandFailedException ex)
            {
                throw new DevnetStartException($"enrolling node {id} at the city failed: {ex.Message}");
            }
        }

        if (enrolled > 0)
        {
            await output.WriteLineAsync($"enrolled at the city: {enrolled} node certificates in {Path.Combine(dir, "<id>", "tls")}; operator profile {Path.Combine(dir, TlsProfile.FileName)}").ConfigureAwait(false);
        }
    }
}
