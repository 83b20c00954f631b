using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store.Sqlite;

namespace ServiceHall.Sync.Tests;

/// <summary>A change that cannot be applied is parked with its reason instead of blocking the changes behind it, and applied once its cause is fixed.</summary>
public sealed class PoisonChangeTests
{
    [Fact(Timeout = 30_000)]
    public async Task Push_PoisonChange_ParkedWithReasonOthersApplyAndRetryAppliesItAfterFix()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t01-v01"];
        var t = net["t01"];
        var broken = true;
        // The domain hook of the township rejects one row until its cause is fixed (say, an item it does not know yet).
        t.Store.Applied += (_, _, changes) =>
        {
            if (Volatile.Read(ref broken) && changes.Any(c => c.Key.Contains("poison", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException("item VIL-NEW is not in the catalogue here");
            }
        };
        var scope = Network.ScopeOf(v.Id);
        v.Write("n1", scope, "fine");
        v.Write("poison", scope, "cannot be applied yet");
        v.Write("n3", scope, "fine, behind the poison");

        await v.SyncAsync();
        var parkedFirst = t.Store.ReadParked();
        var notesFirst = t.Notes();
        v.Write("n4", scope, "written after the poison was parked");
        await v.SyncAsync();
        var parkedSecond = t.Store.ReadParked();
        Volatile.Write(ref broken, false);
        var resolved = t.Store.RetryParked();
        await t.SyncAsync();

        Assert.Equal(["n1", "n3"], notesFirst.Select(Id));
        var p = Assert.Single(parkedFirst);
        Assert.Equal((TestSchema.Notes, "t01-v01", "item VIL-NEW is not in the catalogue here"), (p.Table, p.Via, p.Reason));
        Assert.Contains("poison", p.Key, StringComparison.Ordinal);
        Assert.Equal(0, new SyncStatusReader(v.Store).PendingUpstream()); // the village is not held back
        Assert.Equal(2, Assert.Single(parkedSecond).Attempts);           // retried after the next batch, still failing
        Assert.Equal(1, resolved);
        Assert.Empty(t.Store.ReadParked());
        Assert.Equal(["n1", "n3", "n4", "poison"], t.Notes().Select(Id).Order(StringComparer.Ordinal));
        Assert.Equal(["n1", "n3", "n4", "poison"], net.City.Notes().Select(Id).Order(StringComparer.Ordinal)); // and it relays up
    }

    [Fact(Timeout = 30_000)]
    public async Task RetryParked_SupersededByNewerVersion_RemovedWithoutApplyingTheOldOne()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t02-v01"];
        var t = net["t02"];
        t.Store.Applied += (_, _, changes) =>
        {
            if (changes.Any(c => c.Key.Contains("poison", StringComparison.Ordinal)) && t.Count("SELECT COUNT(*) FROM _sync_parked") == 0)
            {
                throw new InvalidOperationException("first version is poison");
            }
        };
        var scope = Network.ScopeOf(v.Id);
        v.Write("poison", scope, "v1");
        await v.SyncAsync();
        v.Write("poison", scope, "v2");
        await v.SyncAsync();

        Assert.Empty(t.Store.ReadParked());
        Assert.Equal("v2", t.Notes().Single().Split('|')[2]);
    }

    [Theory]
    [InlineData(typeof(InvalidOperationException), true)]
    [InlineData(typeof(IOException), false)]
    [InlineData(typeof(OperationCanceledException), false)]
    public void IsPoison_Exception_OnlyDataFailures(Type type, bool expected)
    {
        Assert.Equal(expected, ChangeApplier.IsPoison(NeverOpened, (Exception)Activator.CreateInstance(type, "x")!));
    }

    [Theory]
    [InlineData(19, true)] // SQLITE_CONSTRAINT
    [InlineData(20, true)] // SQLITE_MISMATCH
    [InlineData(5, false)] // SQLITE_BUSY: the store, not the data
    [InlineData(13, false)] // SQLITE_FULL
    public void IsPoison_SqliteError_OnlyDataFailures(int code, bool expected)
    {
        Assert.Equal(expected, ChangeApplier.IsPoison(NeverOpened, new Microsoft.Data.Sqlite.SqliteException("x", code)));
    }

    /// <summary>A provider to classify errors with; its file is never opened.</summary>
    private static readonly SqliteStoreProvider NeverOpened = new(Path.Combine(Path.GetTempPath(), "servicehall-never-opened.db"));

    private static string Id(string row) => row.Split('|')[0].Split(':')[^1];
}
