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

    /// <summary>A base port such that <paramref name="count"/> consecutive ports are free on 127.0.0.1 right now.</summary>
    public static int FreeRange(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var basePort = Random.Shared.Next(20000, 60000 - count);
            if (Enumerable.Range(basePort, count).All(IsFree))
            {
                return basePort;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free ports found on 127.0.0.1");
    }
}
