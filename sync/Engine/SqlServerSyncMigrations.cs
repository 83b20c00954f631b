using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.Engine;

/// <summary>
/// The engine's own tables in T-SQL: the same steps, numbers and names as <see cref="SyncStore.Migrations"/> (SQLite).
/// Type mapping: TEXT → NVARCHAR with the binary collation (ordinal comparison, as in SQLite), bounded where the column is
/// part of a key or index (SQL Server keys hold at most 900 bytes); INTEGER → BIGINT; BLOB → VARBINARY(MAX);
/// AUTOINCREMENT → IDENTITY; WITHOUT ROWID → the clustered primary key SQL Server builds anyway.
/// Bounds: table names 100 characters, row keys 300, node ids 40, scope paths 400.
/// </summary>
public static class SqlServerSyncMigrations
{
    /// <summary>Every step, numbered as the SQLite steps.</summary>
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "change log, meta, peers, conflicts", """
            CREATE TABLE _sync_log (
                tbl        NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
                pk         NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL,
                seq        BIGINT        NOT NULL,
                hlc        BIGINT        NOT NULL,
                origin     NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
                via        NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
                scope      NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NULL,
                prev_scope NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NULL,
                deleted    BIGINT        NOT NULL DEFAULT 0,
                CONSTRAINT pk_sync_log PRIMARY KEY (tbl, pk)
            );
            CREATE UNIQUE INDEX ix_sync_log_seq ON _sync_log (seq);
            CREATE TABLE _sync_meta (
                [key]  NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
                value  NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL
            );
            CREATE TABLE _sync_peers (
                peer_id       NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
                relation      NVARCHAR(20)  COLLATE Latin1_General_100_BIN2 NOT NULL,
                scope         NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NULL,
                push_cursor   BIGINT        NOT NULL DEFAULT 0,
                pull_cursor   BIGINT        NOT NULL DEFAULT 0,
                last_success  NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
                last_attempt  NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
                offline_since NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
                last_error    NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NULL
            );
            CREATE TABLE _sync_conflicts (
                id            BIGINT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
                tbl           NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
                pk            NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL,
                winner_hlc    BIGINT        NOT NULL,
                winner_origin NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
                loser_hlc     BIGINT        NOT NULL,
                loser_origin  NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
                detected_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
                via           NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL
            );
            """),
        new(2, "base version of each change (conflict detection)", """
            ALTER TABLE _sync_log ADD base_hlc BIGINT NULL, base_origin NVARCHAR(40) COLLATE Latin1_General_100_BIN2 NULL;
            CREATE INDEX ix_sync_conflicts_row ON _sync_conflicts (tbl, pk);
            """),
        new(3, "parked (poison) changes", """
            CREATE TABLE _sync_parked (
                tbl          NVARCHAR(100)  COLLATE Latin1_General_100_BIN2 NOT NULL,
                pk           NVARCHAR(300)  COLLATE Latin1_General_100_BIN2 NOT NULL,
                hlc          BIGINT         NOT NULL,
                origin       NVARCHAR(40)   COLLATE Latin1_General_100_BIN2 NOT NULL,
                via          NVARCHAR(40)   COLLATE Latin1_General_100_BIN2 NOT NULL,
                guard_scope  NVARCHAR(400)  COLLATE Latin1_General_100_BIN2 NULL,
                batch        VARBINARY(MAX) NOT NULL,
                reason       NVARCHAR(MAX)  COLLATE Latin1_General_100_BIN2 NOT NULL,
                parked_at    NVARCHAR(40)   COLLATE Latin1_General_100_BIN2 NOT NULL,
                last_attempt NVARCHAR(40)   COLLATE Latin1_General_100_BIN2 NOT NULL,
                attempts     BIGINT         NOT NULL DEFAULT 1,
                CONSTRAINT pk_sync_parked PRIMARY KEY (tbl, pk, hlc, origin)
            );
            """),
    ];
}
