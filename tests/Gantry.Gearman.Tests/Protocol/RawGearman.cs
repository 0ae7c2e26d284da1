using System.Net;
using System.Net.Sockets;
using System.Text;
using Gantry.Gearman.Client;
using Gantry.Protocol.Gearman;
using Xunit.Sdk;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>
/// One Gearman connection spoken by hand over a real socket (Gantry.Gearman.Client's connection): request packets are
/// built with the codec's writer and responses framed with its reader, so a test controls every byte it sends and sees
/// every byte it gets. Nothing is
/// retried or hidden: a packet that is not the one a test expects fails it with the whole conversation so far.
/// </summary>
public sealed class RawGearman : IAsyncDisposable
{
    /// <summary>How long to wait for one answer. Generous, for loaded machines: passing tests never wait it out.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static readonly GearmanReadLimits Limits = new() { MaxPacketBytes = 64 * 1024 * 1024, MaxAdminLineBytes = 1024 * 1024 };

    private readonly GearmanConnection _connection;
    private readonly List<string> _log = [];
    private bool _ended;

    private RawGearman(GearmanConnection connection, string name)
    {
        _connection = connection;
        Name = name;
    }

    /// <summary>Who this connection plays in the test (client, worker, admin), for failure messages.</summary>
    public string Name { get; }

    public static async Task<RawGearman> ConnectAsync(IPEndPoint server, string name)
    {
        using var cancel = new CancellationTokenSource(Wait);
        return new RawGearman(await GearmanConnection.ConnectAsync(server.Address.ToString(), server.Port, cancel.Token, Limits), name);
    }

    // ---- sending -------------------------------------------------------------------------------------------

    /// <summary>A request packet (<c>"\0REQ"</c>) with <paramref name="fields"/> joined by NULs.</summary>
    public Task SendAsync(GearmanPacketType type, params byte[][] fields)
    {
        _log.Add($"-> {Describe(GearmanMagic.Request, type, fields)}");
        return WriteAsync(Packet(type, fields));
    }

    /// <summary>Bytes exactly as given: several packets at once, malformed frames, garbage.</summary>
    public Task SendRawAsync(byte[] bytes, string what)
    {
        _log.Add($"-> {what} ({bytes.Length} bytes)");
        return WriteAsync(bytes);
    }

    /// <summary>One admin text command, ended by "\n".</summary>
    public Task SendLineAsync(string line)
    {
        _log.Add($"-> text \"{line}\"");
        return WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
    }

    public static byte[] Packet(GearmanPacketType type, params byte[][] fields) => GearmanWriter.ToArray(GearmanMagic.Request, type, fields);

    private async Task WriteAsync(byte[] bytes)
    {
        using var cancel = new CancellationTokenSource(Wait);
        _connection.WriteRaw(bytes);
        await _connection.FlushAsync(cancel.Token);
    }

    // ---- receiving -----------------------------------------------------------------------------------------

    /// <summary>The next packet, whatever its type; fails on admin text, on the end of the connection, or after <paramref name="timeout"/>.</summary>
    public async Task<GearmanPacket> ReceiveAsync(string what, TimeSpan? timeout = null)
    {
        var frame = await NextAsync(what, timeout);
        if (frame.Packet is { } packet) return packet;
        throw Fail(frame.Line is { } line ? $"expected {what}, got the text line \"{line}\"" : $"expected {what}, but the server closed the connection");
    }

    /// <summary>The next packet, which must be a response of <paramref name="type"/>.</summary>
    public async Task<GearmanPacket> ExpectAsync(GearmanPacketType type, TimeSpan? timeout = null)
    {
        var name = GearmanPacketTypes.Name(type);
        var packet = await ReceiveAsync(name, timeout);
        if (packet.Type != type || packet.Magic != GearmanMagic.Response)
            throw Fail($"expected {name}, got {Describe(packet)}");
        return packet;
    }

    /// <summary>The next packet's fields as text, after checking its type.</summary>
    public async Task<string[]> ExpectFieldsAsync(GearmanPacketType type, TimeSpan? timeout = null) => Fields(await ExpectAsync(type, timeout));

    /// <summary>The next frame, which must be an admin text line.</summary>
    public async Task<string> ReadLineAsync(string what)
    {
        var frame = await NextAsync(what, null);
        if (frame.Line is { } line) return line;
        throw Fail(frame.Packet is { } p ? $"expected {what}, got {Describe(p)}" : $"expected {what}, but the server closed the connection");
    }

    /// <summary>Sends an admin command and returns its one-line answer.</summary>
    public async Task<string> AdminAsync(string command)
    {
        await SendLineAsync(command);
        return await ReadLineAsync($"the answer to '{command}'");
    }

    /// <summary>Sends an admin command whose answer is a list, and returns the lines before the closing ".".</summary>
    public async Task<List<string>> AdminListAsync(string command)
    {
        await SendLineAsync(command);
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync($"a line of the answer to '{command}' (the list ends with \".\")");
            if (line == ".") return lines;
            lines.Add(line);
        }
    }

    /// <summary>
    /// A barrier: ECHO_REQ with a fresh token, and the next packet must be its ECHO_RES. When it returns, the server
    /// has handled everything this connection sent before, and nothing else was waiting to be read here.
    /// </summary>
    public async Task SyncAsync()
    {
        var token = Encoding.ASCII.GetBytes($"sync-{Guid.NewGuid():N}");
        await SendAsync(GearmanPacketType.EchoReq, token);
        var echo = await ExpectAsync(GearmanPacketType.EchoRes);
        if (!echo.Body.Span.SequenceEqual(token)) throw Fail($"ECHO_RES carried '{Text(echo.Body.Span)}', not the token sent");
    }

    /// <summary>Reads until the server closes the connection (a reset counts); fails if a frame arrives first.</summary>
    public async Task ExpectClosedAsync()
    {
        var frame = await NextAsync("the server to close the connection", null);
        if (frame.Packet is { } p) throw Fail($"expected the connection to close, got {Describe(p)}");
        if (frame.Line is { } l) throw Fail($"expected the connection to close, got the text line \"{l}\"");
    }

    /// <summary>Whether the server has closed the connection (read returned end of stream or a reset).</summary>
    public bool Ended => _ended;

    private async Task<Frame> NextAsync(string what, TimeSpan? timeout)
    {
        if (_ended) return default;
        var limit = timeout ?? Wait;
        using var cancel = new CancellationTokenSource(limit);
        GearmanFrame? frame;
        try
        {
            frame = await _connection.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw Fail($"gave up after {limit.TotalSeconds:0.#} s waiting for {what}");
        }
        catch (GearmanConnectionException e)
        {
            _ended = true;
            throw Fail($"{e.Message}, while waiting for {what}");
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            _ended = true;
            _log.Add($"<- connection reset ({e.Message})");
            return default;
        }
        if (frame is not { } f)
        {
            _ended = true;
            _log.Add("<- end of stream");
            return default;
        }
        _log.Add(f.Packet is { } p ? $"<- {Describe(p)}" : $"<- text \"{f.Line}\"");
        return new Frame(f.Packet, f.Line);
    }

    private readonly record struct Frame(GearmanPacket? Packet, string? Line);

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>All fields of a packet, decoded as UTF-8.</summary>
    public static string[] Fields(GearmanPacket packet)
    {
        var fields = new string[packet.FieldCount];
        for (var i = 0; i < fields.Length; i++) fields[i] = packet.FieldString(i);
        return fields;
    }

    public static string Describe(GearmanPacket packet)
    {
        var fields = new byte[packet.FieldCount][];
        for (var i = 0; i < fields.Length; i++) fields[i] = packet.Field(i).ToArray();
        return Describe(packet.Magic, packet.Type, fields);
    }

    private static string Describe(GearmanMagic magic, GearmanPacketType type, byte[][] fields) =>
        $"{(magic == GearmanMagic.Request ? "REQ" : "RES")} {GearmanPacketTypes.Name(type)}" +
        (fields.Length == 0 ? "" : " [" + string.Join(", ", fields.Select(f => Text(f))) + "]");

    /// <summary>Bytes shown readably: printable ASCII as is, anything else as \xNN; long values shortened.</summary>
    public static string Text(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes.Length > 160 ? bytes[..160] : bytes)
            text.Append(b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}");
        if (bytes.Length > 160) text.Append($"…({bytes.Length} bytes)");
        return text.ToString();
    }

    /// <summary>The conversation so far, for failure messages.</summary>
    public string Transcript => $"[{Name}]\n  " + string.Join("\n  ", _log.TakeLast(60));

    private XunitException Fail(string message) => new($"{Name}: {message}\nconversation:\n{Transcript}");

    /// <summary>Closes with a reset (no FIN), like a process that crashed with the socket open.</summary>
    public void Abort()
    {
        _ended = true;
        _connection.Abort();
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
