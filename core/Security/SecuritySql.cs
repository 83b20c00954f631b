using ServiceHall.Core.Store;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Security;

/// <summary>
/// Every statement of the security store (one-time enrolment tokens, node revocations), built once per store dialect
/// (see <see cref="DialectStatements"/>).
/// </summary>
public sealed class SecuritySql : IDialectStatements<SecuritySql>
{
    private SecuritySql(SqlDialect d)
    {
        IssueEnrolmentToken = d.Upsert("enrolment_tokens", ["node_id"], ["node_id", "token_hash", "expires_at"], ["@id", "@hash", "@expires"]);
        RedeemEnrolmentToken = "DELETE FROM enrolment_tokens WHERE node_id = @id AND token_hash = @hash AND expires_at > @now";
        DeleteEnrolmentTokens = "DELETE FROM enrolment_tokens WHERE node_id = @id";
        RevocationOf = "SELECT node_id, revoked_at, reason FROM node_revocations WHERE node_id = @id";
    }

    /// <summary>The statements in <paramref name="dialect"/> (built once per dialect).</summary>
    public static SecuritySql For(SqlDialect dialect) => DialectStatements.For<SecuritySql>(dialect);

    /// <inheritdoc />
    static SecuritySql IDialectStatements<SecuritySql>.Build(SqlDialect dialect) => new(dialect);

    public string IssueEnrolmentToken { get; }

    public string RedeemEnrolmentToken { get; }

    public string DeleteEnrolmentTokens { get; }

    public string RevocationOf { get; }
}
