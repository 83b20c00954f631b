using System.Runtime.InteropServices;

namespace ServiceHall.Cli.Devnet;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM cancel <see cref="Token"/> instead of ending the process, so that a devnet command stops
/// what it started (node processes, link proxies) rather than orphaning it.
/// </summary>
internal sealed class SignalStop : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    /// <summary>Starts handling both signals; <paramref name="cancellationToken"/> cancels as well.</summary>
    public SignalStop(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled by a signal or by the token given at creation.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Whether <see cref="Token"/> is cancelled.</summary>
    public bool IsCancellationRequested => _stop.IsCancellationRequested;

    /// <inheritdoc />
    public void Dispose()
    {
        _sigterm.Dispose();
        _sigint.Dispose();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }
}
