using Microsoft.Extensions.Options;

namespace Gantry.Core.Options;

/// <summary>Options that check themselves and name the configuration key of every problem.</summary>
public interface ISelfValidatingOptions
{
    /// <summary>Every problem, each naming its configuration key; empty when valid.</summary>
    IReadOnlyList<string> Validate();
}

/// <summary>The one bridge from <see cref="ISelfValidatingOptions.Validate"/> to the options system, so that a bad
/// setting stops the server at start with all its problems listed.</summary>
public sealed class SelfValidatingOptionsValidator<T> : IValidateOptions<T> where T : class, ISelfValidatingOptions
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
