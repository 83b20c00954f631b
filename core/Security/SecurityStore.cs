using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Security;

/// <summary>One enrolment token as issued: the secret is shown once, only its hash is stored.</summary>
/// <param name="Token">The token to hand to the node's installer: <c>&lt;secret&gt;.&lt;CA pin&gt;</c>.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>A revoked node as the registry records it.</summary>
/// <param name="NodeId">Node id.</param>
/// <param name="RevokedAt">When.</param>
/// <param name="Reason">Why.</param>
public sealed record NodeRevocation(string NodeId, DateTimeOffset RevokedAt, string Reason);

/// <summary>
/// The security tables of a store (component <see cref="Component"/>): <c>enrolment_tokens</c>, local to the city
/// (one live token per node, stored as a SHA-256 hash, deleted when used), and <c>node_revocations</c>, written at the
/// city and synced down with the catalogue (<see cref="Revocations"/>), so every parent refuses a revoked child.
/// </summary>
public sealed class SecurityStore(SyncStore store, TimeProvider time)
{
    /// <summary>Store component name in <c>_schema_versions</c>.</summary>
    public const string Component = "security";

    /// <summary>Lifetime of an enrolment token.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(24);

    /// <summary>Longest reason kept with a revocation.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>The synced revocation list: written at the city, global, down only.</summary>
    public static SyncTable Revocations { get; } = new("node_revocations", "node_id", ["node_id", "revoked_at", "reason"], SyncDirection.DownOnly);

    /// <summary>Schema steps of the security tables (SQLite).</summary>
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "enrolment tokens and revocations", """
            CREATE TABLE enrolment_tokens (
                node_id    TEXT NOT NULL PRIMARY KEY,
                token_hash TEXT NOT NULL,
                expires_at TEXT NOT NULL
            );
            CREATE TABLE node_revocations (
                node_id    TEXT NOT NULL PRIMARY KEY,
                revoked_at TEXT NOT NULL,
                reason     TEXT NOT NULL
            );
            """),
    ];

    /// <summary>The same steps in T-SQL for the SQL Server store provider: numbered and named as <see cref="Migrations"/>, same tables and columns.</summary>
    public static IReadOnlyList<Migration> SqlServerMigrations { get; } =
    [
        new(1, "enrolment tokens and revocations", """
            CREATE TABLE enrolment_tokens (
                node_id    NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
                token_hash NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
                expires_at NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL
            );
            CREATE TABLE node_revocations (
                node_id    NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
                revoked_at NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
                reason     NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL
            );
            """),
    ];

    /// <summary>The security tables' steps for every store provider.</summary>
    public static MigrationSet MigrationSet { get; } = new(Component, new Dictionary<string, IReadOnlyList<Migration>>
    {
        [StoreProviders.Sqlite] = Migrations,
        [StoreProviders.SqlServer] = SqlServerMigrations,
    });

    /// <summary>Issues a new one-time token for <paramref name="nodeId"/>, voiding any earlier unused one.</summary>
    public IssuedToken IssueToken(string nodeId, string caPin)
    {
        var secret = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var expires = time.GetUtcNow() + TokenLifetime;
        using var tx = store.BeginWrite();
        Execute(tx, Sql.IssueEnrolmentToken,
            ("@id", nodeId), ("@hash", Hash(secret)), ("@expires", Format(expires)));
        tx.Commit();
        return new IssuedToken(secret + "." + caPin, expires);
    }

    /// <summary>
    /// Uses up the token of <paramref name="nodeId"/>: true (and the token is gone) if <paramref name="token"/> is its
    /// live, unexpired token; false otherwise, with nothing changed.
    /// </summary>
    public bool RedeemToken(string nodeId, string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var secret = token.Split('.')[0];
        using var tx = store.BeginWrite();
        var used = Execute(tx, Sql.RedeemEnrolmentToken,
            ("@id", nodeId), ("@hash", Hash(secret)), ("@now", Format(time.GetUtcNow())));
        tx.Commit();
        return used == 1;
    }

    /// <summary>Revokes <paramref name="nodeId"/> (captured for sync); returns the revocation on record and whether it is new.</summary>
    public (NodeRevocation Revocation, bool Created) Revoke(string nodeId, string reason)
    {
        using var tx = store.BeginWrite();
        if (Read(Sql, tx.Connection, tx.Transaction, nodeId) is { } existing)
        {
            return (existing, false);
        }

        var revocation = new NodeRevocation(nodeId, time.GetUtcNow(), reason);
        tx.Upsert(Revocations.Name, [nodeId, Format(revocation.RevokedAt), reason]);
        // A revoked node cannot enrol again with a token issued before.
        Execute(tx, Sql.DeleteEnrolmentTokens, ("@id", nodeId));
        tx.Commit();
        return (revocation, true);
    }

    /// <summary>The revocation of <paramref name="nodeId"/>, or null if it is not revoked.</summary>
    public NodeRevocation? GetRevocation(string nodeId)
    {
        using var conn = store.Store.Open();
        return Read(Sql, conn, null, nodeId);
    }

    /// <summary>The domain's statements in the store's dialect.</summary>
    private SecuritySql Sql => SecuritySql.For(store.Store.Dialect);

    private static NodeRevocation? Read(SecuritySql sql, DbConnection conn, DbTransaction? tx, string nodeId)
    {
        using var cmd = conn.Command(sql.RevocationOf, tx).With("@id", nodeId);
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new NodeRevocation(r.GetString(0), DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), r.GetString(2))
            : null;
    }

    private static int Execute(SyncWriteTransaction tx, string sql, params (string Name, string Value)[] parameters)
    {
        using var cmd = tx.Command(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.With(name, value);
        }

        return cmd.ExecuteNonQuery();
    }

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
