namespace Gantry.Workers.Config;

/// <summary>One thing wrong with a workers file, at the line and column (1-based) where it is.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}

/// <summary>A workers file that cannot be used; <see cref="Exception.Message"/> lists every error, one per line.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
