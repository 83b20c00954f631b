using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServiceHall.Core.Security;

/// <summary>
/// Where a node keeps its TLS material: <c>&lt;data&gt;/tls/</c>. Every node has <c>ca.crt</c> (the city's CA, the
/// network's one trust anchor), <c>node.crt</c> and <c>node.key</c>; the city also keeps <c>ca.key</c> and the
/// bootstrap operator credential <c>operator.crt</c>/<c>operator.key</c>. Keys are written owner-read/write only.
/// </summary>
public sealed class TlsFiles(string dataDir)
{
    /// <summary>The directory.</summary>
    public string Directory { get; } = Path.Combine(Path.GetFullPath(dataDir), "tls");

    /// <summary>The city's CA certificate.</summary>
    public string CaCertificate => Path.Combine(Directory, "ca.crt");

    /// <summary>The city's CA private key (city only).</summary>
    public string CaKey => Path.Combine(Directory, "ca.key");

    /// <summary>This node's certificate.</summary>
    public string NodeCertificate => Path.Combine(Directory, "node.crt");

    /// <summary>This node's private key.</summary>
    public string NodeKey => Path.Combine(Directory, "node.key");

    /// <summary>The operator certificate the city issues to itself at its first start (city only).</summary>
    public string OperatorCertificate => Path.Combine(Directory, "operator.crt");

    /// <summary>The operator's private key (city only).</summary>
    public string OperatorKey => Path.Combine(Directory, "operator.key");

    /// <summary>True if the node holds its certificate, key and the CA certificate.</summary>
    public bool IsEnrolled => File.Exists(CaCertificate) && File.Exists(NodeCertificate) && File.Exists(NodeKey);

    /// <summary>Loads this node's certificate with its private key.</summary>
    public X509Certificate2 LoadNodeCertificate() => LoadWithKey(NodeCertificate, NodeKey);

    /// <summary>Loads the CA certificate (no key).</summary>
    public X509Certificate2 LoadCaCertificate() => X509Certificate2.CreateFromPem(File.ReadAllText(CaCertificate));

    /// <summary>Loads a certificate and its PEM private key as one usable by SslStream.</summary>
    public static X509Certificate2 LoadWithKey(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // A PKCS#12 round trip gives a certificate whose key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>Writes a public file (certificate), readable by all.</summary>
    public static void WritePublic(string path, string pem) => Write(path, pem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

    /// <summary>Writes a private key, readable and writable by the owner only.</summary>
    public static void WritePrivate(string path, string pem) => Write(path, pem, UnixFileMode.UserRead | UnixFileMode.UserWrite);

    /// <summary>The PEM (PKCS#8) of a private key.</summary>
    public static string KeyPem(AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportPkcs8PrivateKeyPem();
    }

    private static void Write(string path, string text, UnixFileMode mode)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, mode); // UnixCreateMode is masked by umask; the key must not be group-readable
        }

        File.Move(temp, path, overwrite: true);
    }
}
