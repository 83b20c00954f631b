using System.Globalization;
using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void FreeRange_IsFreeAndBelowTheEphemeralRange_WhereNoDynamicBindCanTakeItFirst()
    {
        var ephemeralLow = File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
            ? int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture)
            : 32768;
        for (var k = 0; k < 20; k++)
        {
            var basePort = TestPorts.FreeRange(3);
            Assert.InRange(basePort, 20000, ephemeralLow - 3);
            Assert.All(Enumerable.Range(basePort, 3), p => Assert.True(LoopbackPorts.IsFree(p), $"port {p} is taken"));
        }
    }

    [Fact]
    public void IsFree_PortListenedOn_False()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

        Assert.False(LoopbackPorts.IsFree(port));
        listener.Stop();
        Assert.True(LoopbackPorts.IsFree(port));
    }
}
