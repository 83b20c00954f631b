using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ServiceHall.Cli.Grpc;

namespace ServiceHall.Cli.Profiles;

/// <summary>
/// The TLS part of an operator profile: <c>tls-profile.json</c> in the profile directory, naming PEM files beside it
/// (the city's CA certificate, the operator's client certificate and key). The CLI uses it for every https URL.
/// The profile directory is <c>--profile DIR</c>, else <c>$SERVICEHALL_PROFILE</c>, else the devnet default
/// <c>./devnet-data</c>. Clerk credentials live in a file of their own in the same directory.
/// </summary>
internal sealed class TlsProfile
{
    /// <summary>The file name in the profile directory.</summary>
    public const string FileName = "tls-profile.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private TlsProfile(string directory, X509Certificate2 ca, X509Certificate2 client)
    {
        Directory = directory;
        Ca = ca;
        Client = client;
    }

    /// <summary>The <c>--profile</c> value of this invocation, if given.</summary>
    public static string? DirectoryOption { get; set; }

    /// <summary>The profile every https channel of this process uses, once loaded or set (devnet sets its own).</summary>
    public static TlsProfile? Current { get; set; }

    /// <summary>Where the profile was loaded from.</summary>
    public string Directory { get; }

    /// <summary>The city's CA: the only trust anchor for node certificates.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The operator's client certificate, with its key.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>The profile directory of this invocation (option, environment, devnet default).</summary>
    public static string ResolveDirectory() => ClerkProfile.Directory(DirectoryOption);

    /// <summary>The current profile, loaded from <see cref="ResolveDirectory"/> on first use.</summary>
    public static TlsProfile Require()
    {
        if (Current is not null)
        {
            return Current;
        }

        var directory = ResolveDirectory();
        Current = TryLoad(directory) ?? throw new CommandFailedException(
            $"https needs an operator profile, and {Path.GetFullPath(Path.Combine(directory, FileName))} does not exist: start a devnet (servicehall devnet up), or pass --profile DIR (or set {ClerkProfile.EnvironmentVariable}) to a directory holding {FileName}.");
        return Current;
    }

    /// <summary>Loads the profile in <paramref name="directory"/>, or null if it has none.</summary>
    public static TlsProfile? TryLoad(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var file = JsonSerializer.Deserialize<ProfileFile>(File.ReadAllText(path), Json)
            ?? throw new CommandFailedException($"{path} is empty");
        string At(string name) => Path.GetFullPath(Path.Combine(directory, name));
        try
        {
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(At(file.CaCertificate)));
            using var pem = X509Certificate2.CreateFromPemFile(At(file.ClientCertificate), At(file.ClientKey));
            var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
            return new TlsProfile(directory, ca, client);
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"the operator profile {path} cannot be used: {ex.Message}");
        }
    }

    /// <summary>Writes a profile into <paramref name="directory"/>: the PEMs (key owner-only) and <c>tls-profile.json</c>.</summary>
    public static void Write(string directory, string caPem, string clientCertificatePem, string clientKeyPem)
    {
        var file = new ProfileFile("profile-ca.crt", "profile-operator.crt", "profile-operator.key");
        PemFiles.Write(Path.Combine(directory, file.CaCertificate), caPem, secret: false);
        PemFiles.Write(Path.Combine(directory, file.ClientCertificate), clientCertificatePem, secret: false);
        PemFiles.Write(Path.Combine(directory, file.ClientKey), clientKeyPem, secret: true);
        PemFiles.Write(Path.Combine(directory, FileName), JsonSerializer.Serialize(file, Json), secret: false);
    }

    /// <summary>TLS client settings: the operator certificate, and the node's certificate checked against the CA.</summary>
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        ClientCertificates = [Client],
        RemoteCertificateValidationCallback = (_, certificate, _, errors) => CertificateChecks.IsFromCa(certificate, errors, Ca),
    };

    private sealed record ProfileFile(string CaCertificate, string ClientCertificate, string ClientKey);
}

/// <summary>Certificate checks shared by the profile and enrolment.</summary>
internal static class CertificateChecks
{
    /// <summary>
    /// True if a server certificate names the host it was reached at and chains to <paramref name="ca"/> (a custom root:
    /// the machine's store plays no part), at this moment.
    /// </summary>
    public static bool IsFromCa(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var server = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = TimeProvider.System.GetUtcNow().UtcDateTime;
        return chain.Build(server);
    }
}

/// <summary>Writes PEM and profile files; secrets owner-read/write only.</summary>
internal static class PemFiles
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> (creating the directory), atomically.</summary>
    public static void Write(string path, string text, bool secret)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var mode = secret
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode; // from the first byte: a key is never readable by others, not even briefly
        }

        using (var writer = new StreamWriter(temp, System.Text.Encoding.UTF8, options))
        {
            writer.Write(text);
        }

        File.Move(temp, path, overwrite: true);
    }
}
