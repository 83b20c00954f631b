using System.Net;
using System.Net.Sockets;

namespace ServiceHall.Cli.Devnet;

/// <summary>Free ports on 127.0.0.1, for devnet's port check.</summary>
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
}
