using System.Reflection;
using System.Runtime.Loader;
using Gantry.Client.Workers;

namespace Gantry.Workers.Config;

/// <summary>
/// Finds a pool's .NET handler type: <c>handler: "MyApp.Thumbnails, MyApp"</c>, from <c>assembly: path/MyApp.dll</c>
/// when given. The loader checks the type in a context it unloads again (a config error names the line before anything
/// starts); the child loads it for good.
/// </summary>
public static class HandlerTypes
{
    /// <summary>Loads the type or throws <see cref="InvalidOperationException"/> saying what is wrong.</summary>
    public static Type Load(string handler, string? assemblyPath, AssemblyLoadContext? context = null)
    {
        var comma = handler.IndexOf(',');
        var typeName = (comma < 0 ? handler : handler[..comma]).Trim();
        var assemblyName = comma < 0 ? null : handler[(comma + 1)..].Trim();
        if (typeName.Length == 0 || assemblyName is { Length: 0 })
            throw new InvalidOperationException($"'{handler}' is not a type name; write it as \"Namespace.Type, Assembly\".");
        if (assemblyName is null && assemblyPath is null)
            throw new InvalidOperationException($"'{handler}' names no assembly; write \"{typeName}, AssemblyName\" or add assembly: path/to/Assembly.dll.");

        Assembly assembly;
        try
        {
            if (assemblyPath is not null)
            {
                if (!File.Exists(assemblyPath)) throw new InvalidOperationException($"the assembly file {assemblyPath} does not exist.");
                context ??= new HandlerLoadContext(assemblyPath, collectible: false);
                assembly = context.LoadFromAssemblyPath(assemblyPath);
                var actual = assembly.GetName().Name;
                if (assemblyName is not null && !string.Equals(actual, new AssemblyName(assemblyName).Name, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidOperationException($"{assemblyPath} holds assembly '{actual}', not '{assemblyName}'.");
            }
            else
            {
                assembly = (context ?? AssemblyLoadContext.Default).LoadFromAssemblyName(new AssemblyName(assemblyName!));
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
        {
            throw new InvalidOperationException($"cannot load the assembly of '{handler}': {ex.Message}");
        }

        var type = assembly.GetType(typeName, throwOnError: false)
            ?? throw new InvalidOperationException($"type '{typeName}' is not in assembly '{assembly.GetName().Name}' ({assembly.Location}).");
        if (!type.IsClass || type.IsAbstract || !typeof(IJobHandler).IsAssignableFrom(type))
            throw new InvalidOperationException($"type '{typeName}' is not a concrete class implementing {typeof(IJobHandler).FullName}.");
        if (type.GetConstructors().Length == 0)
            throw new InvalidOperationException($"type '{typeName}' has no public constructor.");
        return type;
    }

    /// <summary>Null when the type loads; else what is wrong. Leaves nothing loaded behind.</summary>
    public static string? Check(string handler, string? assemblyPath)
    {
        HandlerLoadContext? context = null;
        try
        {
            // Load says what is wrong with a missing file; the resolver cannot even be made for one.
            if (assemblyPath is not null && File.Exists(assemblyPath)) context = new HandlerLoadContext(assemblyPath, collectible: true);
            Load(handler, assemblyPath, context);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
        finally
        {
            context?.Unload();
        }
    }
}

/// <summary>
/// Loads a handler assembly and its own dependencies from its folder (through its .deps.json), but shares every
/// assembly the gantry executable already ships, Gantry.Client above all: <c>IJobHandler</c> must be one type on both
/// sides, or no handler would implement it.
/// </summary>
internal sealed class HandlerLoadContext(string assemblyPath, bool collectible)
    : AssemblyLoadContext($"gantry-handler:{Path.GetFileName(assemblyPath)}", collectible)
{
    private static readonly HashSet<string> Shipped = ShippedAssemblies();
    private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name is not null && Shipped.Contains(name.Name)) return null;
        return _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    private static HashSet<string> ShippedAssemblies()
    {
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        return list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }
}
