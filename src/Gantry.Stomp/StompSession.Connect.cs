using Gantry.Core;
using Gantry.Protocol.Stomp;
using Microsoft.Extensions.Logging;

namespace Gantry.Stomp;

/// <summary>Opening a session: version and heart-beat negotiation, the API token, and the heart-beat timers.</summary>
internal sealed partial class StompSession
{
    /// <summary>CONNECTED's <c>server</c> header: name and version, as the specification's example has it.</summary>
    private static readonly string ServerName = $"Gantry/{GantryVersion.Current}";

    /// <summary>The <c>login</c> a client gave, shown in presence as the subscriber's name.</summary>
    private string? _login;

    private async ValueTask ConnectAsync(StompFrame connect)
    {
        var version = StompVersions.Negotiate(connect[StompHeaderNames.AcceptVersion]);
        if (!version.Agreed)
            throw new StompSessionException(version.ErrorMessage, new StompHeader(StompHeaderNames.Version, StompVersions.SupportedList));
        if (!StompHeartBeat.TryParse(connect[StompHeaderNames.HeartBeat], out var client, out var why))
            throw new StompSessionException(why);
        if (!_credentials.Accepts(connect))
            throw new StompSessionException("this server requires an API token: send it as the passcode header of CONNECT " +
                                            "(or as 'Authorization: Bearer <token>')");

        Escapes = version.EscapesHeaders;
        _reader.DecodeEscapes = Escapes;
        Out.EscapeHeaders = Escapes;
        _login = connect[StompHeaderNames.Login] is { Length: > 0 and <= MaxLoginLength } login ? login : null;
        var server = _options.HeartBeat;
        var intervals = StompHeartBeat.Negotiate(client, server);
        Connected = true;

        await Out.SendAsync(StompCommand.Connected,
        [
            new(StompHeaderNames.Version, version.Version!),
            new(StompHeaderNames.Server, ServerName),
            new(StompHeaderNames.Session, Id),
            new(StompHeaderNames.HeartBeat, server.ToString()),
        ], default, _lifetime.Token).ConfigureAwait(false);

        if (intervals.ServerSends > TimeSpan.Zero)
            _sendingBeats = StompHeartBeats.SendAsync(Out, intervals.ServerSends, _time, _lifetime.Token);
        if (intervals.ClientSends > TimeSpan.Zero)
        {
            var limit = intervals.ClientSends + _options.HeartBeatGrace;
            _watchingBeats = StompHeartBeats.WatchAsync(() => _time.GetElapsedTime(Volatile.Read(ref _lastRead)), limit, _time, silent =>
                RequestClose($"no heart-beat or frame for {silent.TotalSeconds:0.###} s (negotiated every {intervals.ClientSends.TotalSeconds:0.###} s, " +
                             $"plus {_options.HeartBeatGrace.TotalSeconds:0.###} s of Gantry:Stomp:HeartBeatGrace)",
                    $"the client sent nothing for {silent.TotalSeconds:0.###} s, past its heart-beat interval of " +
                    $"{intervals.ClientSends.TotalSeconds:0.###} s and the server's grace of {_options.HeartBeatGrace.TotalSeconds:0.###} s"),
                _lifetime.Token);
        }
        _log.LogDebug("STOMP connection {Remote} opened session {Session} (version {Version}, heart-beats server {ServerSends} / client {ClientSends})",
            Remote, Id, version.Version, intervals.ServerSends, intervals.ClientSends);
    }

    /// <summary>Presence shows the login; past this length it is not a name but something pasted by mistake.</summary>
    private const int MaxLoginLength = 200;
}
