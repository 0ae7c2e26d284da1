using System.Net.Sockets;
using Gantry.Gearman.Client;
using Gantry.Protocol.Gearman;

namespace Gantry.GearmanBench;

/// <summary>The load generator's side of <see cref="GearmanConnection"/>: a name for its messages, and every failure
/// turned into a <see cref="BenchFailure"/> that names the connection.</summary>
internal static class BenchConnection
{
    public static GearmanConnection Open(string host, int port, string name)
    {
        try
        {
            return GearmanConnection.Connect(host, port);
        }
        catch (SocketException e)
        {
            throw new BenchFailure($"{name}: cannot connect to {host}:{port}: {e.Message}");
        }
    }

    /// <summary>Runs the connection's read loop, naming the connection in whatever fails.</summary>
    public static void ReadLoop(this GearmanConnection connection, string name, Action<GearmanPacket> onPacket, Action? afterBatch)
    {
        try
        {
            connection.ReadLoop(onPacket, afterBatch);
        }
        catch (IOException e)
        {
            throw new BenchFailure($"{name}: {e.Message}");
        }
    }

    public static void Send(this GearmanConnection connection, string name)
    {
        try
        {
            connection.Flush();
        }
        catch (IOException e)
        {
            throw new BenchFailure($"{name}: {e.Message}");
        }
    }
}

/// <summary>Reads the fields of a packet the way the error messages need them.</summary>
internal static class PacketText
{
    public static string Describe(GearmanPacket packet) => packet.Type switch
    {
        GearmanPacketType.Error => $"ERROR {packet.FieldString(0)}: {packet.FieldString(1)}",
        GearmanPacketType.WorkFail => $"WORK_FAIL for {packet.FieldString(0)}",
        GearmanPacketType.WorkException => $"WORK_EXCEPTION for {packet.FieldString(0)}: {packet.FieldString(1)}",
        _ => packet.ToString(),
    };
}
