using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Core.Network;

/// <summary>
/// Every sync interval, writes this node's view of its children's links into <c>node_links</c> (only rows that
/// changed, or whose last contact is older than <see cref="RefreshAfter"/>), so that the rows travel up with the
/// ordinary sync and the city sees every station's health. A leaf has no children and writes nothing.
/// </summary>
public sealed partial class NodeLinkReporter(NodeLinkRepository links, SyncStatusReader status, IOptions<SyncOptions> options, TimeProvider time, ILogger<NodeLinkReporter> logger)
    : BackgroundService
{
    /// <summary>A row for an online child is rewritten at most this often, so a busy link does not flood the log.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(5);

    /// <summary>Runs one report now; returns the rows written.</summary>
    public int ReportOnce() => links.Report(status.Read(), RefreshAfter);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var written = ReportOnce();
                    if (written > 0)
                    {
                        LogReported(logger, written);
                    }
                }
                catch (System.Data.Common.DbException ex)
                {
                    LogFailed(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reported {Count} child link states")]
    private static partial void LogReported(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report child link states: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
