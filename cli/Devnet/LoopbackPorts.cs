using System.Net;
using System.Net.Sockets;

namespace ServiceHall.Cli.Devnet;

/// <summary>Free ports on 127.0.0.1, for devnet's port check, the chaos run and the tests.</summary>
internal static class LoopbackPorts
{
    /// <summary>True if nothing listens on <paramref name="port"/> of 127.0.0.1 (checked by binding it briefly).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Lowest port the range is drawn from.</summary>
    private const int Lowest = 20000;

    /// <summary>
    /// A base port such that <paramref name="count"/> consecutive ports are free on 127.0.0.1 right now, drawn from below
    /// the kernel's ephemeral range. Ports in that range are handed out all the time (to every outgoing connection, and to
    /// every server that binds port 0, as the in-process nodes of tests and the scale bench do), so a port found free there
    /// could be taken before the node program started on it bound it: the program then died at start with "address
    /// already in use" (seen in the scale bench and in the devnet tests on a busy machine).
    /// </summary>
    public static int FreeRange(int count)
    {
        var below = Math.Max(Lowest + 1000, EphemeralLow());
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var basePort = Random.Shared.Next(Lowest, below - count);
            if (Enumerable.Range(basePort, count).All(IsFree))
            {
                return basePort;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free ports found on 127.0.0.1 between {Lowest} and {below}");
    }

    /// <summary>First port of the kernel's ephemeral range (Linux: <c>/proc/sys/net/ipv4/ip_local_port_range</c>; else the usual 32768).</summary>
    private static int EphemeralLow()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            if (File.Exists(Range)
                && int.TryParse(File.ReadAllText(Range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var low))
            {
                return low;
            }
        }
        catch (IOException)
        {
            // not readable: the usual default below
        }

        return 32768;
    }
}
