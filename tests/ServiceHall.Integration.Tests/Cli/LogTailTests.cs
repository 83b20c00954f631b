using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

public sealed class LogTailTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Tail_CrashLog_ShowsTheExceptionLineAndTheLastLines()
    {
        var log = Path.Combine(_dir.Path, "console.log");
        File.WriteAllLines(log, [
            "[INF] starting",
            "Unhandled exception. Microsoft.Data.Sqlite.SqliteException (0x80004005): SQLite Error 26: 'file is not a database'.",
            .. Enumerable.Range(1, 20).Select(i => $"   at Frame{i}()"),
        ]);

        var tail = LogTail.Of(log, 5);

        Assert.Contains("file is not a database", tail, StringComparison.Ordinal);
        Assert.Contains("Frame20", tail, StringComparison.Ordinal);
        Assert.DoesNotContain("Frame10()", tail, StringComparison.Ordinal);
        Assert.DoesNotContain("starting", tail, StringComparison.Ordinal);
    }

    [Fact]
    public void Tail_NoLog_Empty()
    {
        Assert.Equal(string.Empty, LogTail.Of(Path.Combine(_dir.Path, "missing.log")));
    }
}
