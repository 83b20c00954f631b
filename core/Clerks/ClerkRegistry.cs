using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Clerks;

/// <summary>Why the registry refused a change; maps to a gRPC status.</summary>
public enum ClerkErrorKind
{
    /// <summary>Malformed input: INVALID_ARGUMENT.</summary>
    InvalidArgument = 1,

    /// <summary>No such clerk or node: NOT_FOUND.</summary>
    NotFound = 2,

    /// <summary>The id is taken: ALREADY_EXISTS.</summary>
    AlreadyExists = 3,

    /// <summary>Not at this node, or not in this state: FAILED_PRECONDITION.</summary>
    FailedPrecondition = 4,
}

/// <summary>A refused change to the clerk registry.</summary>
public sealed class ClerkException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClerkException(ClerkErrorKind kind, string message)
        : base(message) => Kind = kind;

    /// <summary>Creates the exception (kind <see cref="ClerkErrorKind.FailedPrecondition"/>).</summary>
    public ClerkException() : this(ClerkErrorKind.FailedPrecondition, "The clerk change was refused.")
    {
    }

    /// <summary>Creates the exception (kind <see cref="ClerkErrorKind.FailedPrecondition"/>).</summary>
    public ClerkException(string message) : this(ClerkErrorKind.FailedPrecondition, message)
    {
    }

    /// <summary>Creates the exception (kind <see cref="ClerkErrorKind.FailedPrecondition"/>).</summary>
    public ClerkException(string message, Exception inner) : base(message, inner) => Kind = ClerkErrorKind.FailedPrecondition;

    /// <summary>Why.</summary>
    public ClerkErrorKind Kind { get; }
}

/// <summary>
/// The synced <c>clerks</c> table: written at the city through the engine, held by every node on the path to the clerk's
/// node, read here to sign clerks in. A successful sign-in is remembered in memory (a SHA-256 of the secret, tied to the
/// stored hash) so that PBKDF2 runs once per clerk and secret, not once per call; a changed or disabled row is re-checked.
/// </summary>
public sealed partial class ClerkRegistry
{
    /// <summary>Table name.</summary>
    public const string Table = "clerks";


    private readonly SyncStore _store;
    private readonly NodeIdentity _node;
    private readonly ConcurrentDictionary<string, (string StoredHash, byte[] SecretDigest)> _verified = new(StringComparer.Ordinal);

    /// <summary>Creates the registry over this node's engine.</summary>
    public ClerkRegistry(SyncStore store, NodeIdentity node)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _node = node ?? throw new ArgumentNullException(nameof(node));
    }

    /// <summary>Declaration for the sync engine: written at the city, sent down, scoped to the clerk's node.</summary>
    public static SyncTable SyncTable { get; } = new(
        Table,
        "id",
        ["id", "node_id", "scope", "department", "role", "name", "disabled", "secret_salt", "secret_hash", "secret_iterations", "updated_at"],
        SyncDirection.DownOnly,
        "scope");

    /// <summary>True if <paramref name="id"/> is a well-formed clerk id: 1–64 of lower-case letters, digits, '.', '_', '@', '-', starting with a letter or digit.</summary>
    public static bool IsValidId(string? id) => !string.IsNullOrEmpty(id) && IdPattern().IsMatch(id);

    /// <summary>Role as stored and as the CLI spells it.</summary>
    public static string RoleText(ClerkRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Parses a stored or typed role name; null if unknown.</summary>
    public static ClerkRole? ParseRole(string? text) =>
        Enum.TryParse<ClerkRole>(text, ignoreCase: true, out var r) && Enum.IsDefined(r) && !int.TryParse(text, out _) ? r : null;

    /// <summary>
    /// Registers a clerk at a registered node (city only). The secret is stored hashed.
    /// </summary>
    /// <exception cref="ClerkException">Not the city, bad input, unknown node or department, taken id.</exception>
    public Clerk Add(string id, string nodeId, string department, ClerkRole role, string name, string secret)
    {
        RequireCity();
        if (!IsValidId(id))
        {
            throw new ClerkException(ClerkErrorKind.InvalidArgument, $"Clerk id '{Shorten(id)}' is not 1–64 lower-case letters, digits, '.', '_', '@' or '-' starting with a letter or digit.");
        }

        if (!Enum.IsDefined(role))
        {
            throw new ClerkException(ClerkErrorKind.InvalidArgument, $"Unknown role {role}.");
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            throw new ClerkException(ClerkErrorKind.InvalidArgument, "A clerk's name is 1–100 characters.");
        }

        if (ClerkSecrets.Check(secret) is { } bad)
        {
            throw new ClerkException(ClerkErrorKind.InvalidArgument, bad);
        }

        using var tx = _store.BeginWrite();
        var node = (string.IsNullOrEmpty(nodeId) ? null : CatalogueRepository.ReadNode(tx, nodeId)) ?? throw new ClerkException(ClerkErrorKind.NotFound, $"Node '{Shorten(nodeId)}' is not registered.");
        if (role == ClerkRole.Administrator && node.Level != NodeLevel.City)
        {
            throw new ClerkException(ClerkErrorKind.InvalidArgument, $"A city administrator works at the city, not at {node.Id}.");
        }

        if (!DepartmentExists(tx, department))
        {
            throw new ClerkException(ClerkErrorKind.NotFound, $"Department '{Shorten(department)}' is not in the catalogue.");
        }

        if (Read(Sql, tx.Connection, tx.Transaction, id) is not null)
        {
            throw new ClerkException(ClerkErrorKind.AlreadyExists, $"Clerk '{id}' already exists.");
        }

        var clerk = new Clerk(id, node.Id, node.Scope, department, role, name.Trim(), Disabled: false);
        Write(tx, clerk, ClerkSecrets.Hash(secret));
        tx.Commit();
        return clerk;
    }

    /// <summary>Disables or enables a clerk (city only); returns the clerk as now stored.</summary>
    public Clerk SetDisabled(string id, bool disabled)
    {
        RequireCity();
        using var tx = _store.BeginWrite();
        var (clerk, secret) = Read(Sql, tx.Connection, tx.Transaction, id) ?? throw new ClerkException(ClerkErrorKind.NotFound, $"No clerk '{Shorten(id)}'.");
        var changed = clerk with { Disabled = disabled };
        if (changed != clerk)
        {
            Write(tx, changed, secret);
            tx.Commit();
        }

        return changed;
    }

    /// <summary>Replaces a clerk's secret (city only).</summary>
    public Clerk ResetSecret(string id, string secret)
    {
        RequireCity();
        if (ClerkSecrets.Check(secret) is { } bad)
        {
            throw new ClerkException(ClerkErrorKind.InvalidArgument, bad);
        }

        using var tx = _store.BeginWrite();
        var (clerk, _) = Read(Sql, tx.Connection, tx.Transaction, id) ?? throw new ClerkException(ClerkErrorKind.NotFound, $"No clerk '{Shorten(id)}'.");
        Write(tx, clerk, ClerkSecrets.Hash(secret));
        tx.Commit();
        return clerk;
    }

    /// <summary>Every clerk this node holds, ordered by scope then id.</summary>
    public IReadOnlyList<Clerk> List()
    {
        using var conn = _store.Store.Open();
        using var cmd = conn.Command(Sql.ClerksAll);
        using var r = cmd.ExecuteReader();
        var result = new List<Clerk>();
        while (r.Read())
        {
            result.Add(ReadRow(r).Clerk);
        }

        return result;
    }

    /// <summary>True if this node holds no clerk at all.</summary>
    public bool IsEmpty()
    {
        using var conn = _store.Store.Open();
        using var cmd = conn.Command(Sql.ClerkCount);
        return cmd.ScalarInt64() == 0;
    }

    /// <summary>Checks a clerk's id and secret against the row this node holds.</summary>
    public SignInResult SignIn(string id, string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (!IsValidId(id) || secret.Length > ClerkSecrets.MaxLength)
        {
            return new SignInResult(null, SignInFailure.UnknownClerk);
        }

        using var conn = _store.Store.Open();
        if (Read(Sql, conn, null, id) is not var (clerk, stored))
        {
            // Same work as a wrong secret, so the answer time does not tell which ids exist.
            ClerkSecrets.Verify(secret, Decoy);
            return new SignInResult(null, SignInFailure.UnknownClerk);
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var known = _verified.TryGetValue(id, out var seen)
            && string.Equals(seen.StoredHash, stored.Hash, StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(seen.SecretDigest, digest);
        if (!known && !ClerkSecrets.Verify(secret, stored))
        {
            return new SignInResult(null, SignInFailure.WrongSecret);
        }

        _verified[id] = (stored.Hash, digest);
        return clerk.Disabled ? new SignInResult(clerk, SignInFailure.Disabled) : new SignInResult(clerk, null) { SecretStamp = Stamp(stored) };
    }

    /// <summary>
    /// The clerk this node holds under <paramref name="id"/>, with a stamp of its stored secret that changes whenever the
    /// secret is reset (never the hash itself); null if this node holds no such clerk. A front end that keeps a clerk
    /// signed in between requests (the web's cookie) checks its clerk against this on every request.
    /// </summary>
    public (Clerk Clerk, string SecretStamp)? Find(string id)
    {
        if (!IsValidId(id))
        {
            return null;
        }

        using var conn = _store.Store.Open();
        return Read(Sql, conn, null, id) is var (clerk, stored) ? (clerk, Stamp(stored)) : null;
    }

    private static string Stamp(StoredSecret stored) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{stored.Salt}:{stored.Hash}:{stored.Iterations}")))[..32];

    private static readonly StoredSecret Decoy = ClerkSecrets.Hash("decoy-secret-never-issued");

    private void RequireCity()
    {
        if (_node.Level != NodeLevel.City)
        {
            throw new ClerkException(ClerkErrorKind.FailedPrecondition, $"Clerks are managed at the city; this node ({_node.NodeId}) holds copies.");
        }
    }

    private void Write(SyncWriteTransaction tx, Clerk c, StoredSecret s) =>
        tx.Upsert(Table, [c.Id, c.NodeId, c.Scope, c.Department, RoleText(c.Role), c.Name, c.Disabled ? 1L : 0L, s.Salt, s.Hash, (long)s.Iterations,
            _store.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)]);

    /// <summary>The domain's statements in the store's dialect.</summary>
    private ClerkSql Sql => ClerkSql.For(_store.Store.Dialect);

    private static (Clerk Clerk, StoredSecret Secret)? Read(ClerkSql sql, DbConnection conn, DbTransaction? tx, string id)
    {
        using var cmd = conn.Command(sql.ClerkById, tx).With("@id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadRow(r) : null;
    }

    private static (Clerk Clerk, StoredSecret Secret) ReadRow(DbDataReader r) =>
        (new Clerk(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), ParseRole(r.GetString(4)) ?? throw new InvalidDataException($"Clerk {r.GetString(0)} has unknown role '{r.GetString(4)}'."),
            r.GetString(5), r.GetInt64(6) != 0),
         new StoredSecret(r.GetString(7), r.GetString(8), r.GetInt32Any(9)));

    private static bool DepartmentExists(SyncWriteTransaction tx, string? code)
    {
        using var cmd = tx.Command(CatalogueSql.For(tx.Dialect).DepartmentCount).With("@p", code ?? string.Empty);
        return cmd.ScalarInt64() > 0;
    }

    private static string Shorten(string? text) => text is null ? string.Empty : text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._@-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
