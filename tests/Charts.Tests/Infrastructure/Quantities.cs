using System.Globalization;
using System.Text.RegularExpressions;

namespace Microservices.Charts.Tests.Infrastructure;

/// <summary>Kubernetes memory quantities, Go memory limits and Dapr durations as numbers.</summary>
public static partial class Quantities
{
    public static long Bytes(string quantity)
    {
        var match = MemoryPattern().Match(quantity);
        if (!match.Success)
        {
            throw new FormatException("not a memory quantity: " + quantity);
        }

        var factor = match.Groups[2].Value switch
        {
            "Ki" or "KiB" => 1L << 10,
            "Mi" or "MiB" => 1L << 20,
            "Gi" or "GiB" => 1L << 30,
            "" or "B" => 1L,
            var unit => throw new FormatException("unit " + unit),
        };
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * factor;
    }

    public static int MilliCpu(string quantity) => quantity.EndsWith('m')
        ? int.Parse(quantity[..^1], CultureInfo.InvariantCulture)
        : (int)(decimal.Parse(quantity, CultureInfo.InvariantCulture) * 1000);

    public static TimeSpan Duration(string duration)
    {
        var match = DurationPattern().Match(duration);
        if (!match.Success)
        {
            throw new FormatException("not a duration: " + duration);
        }

        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromHours(amount),
        };
    }

    [GeneratedRegex("^([0-9]+)(Ki|Mi|Gi|KiB|MiB|GiB|B)?$")]
    private static partial Regex MemoryPattern();

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)$")]
    private static partial Regex DurationPattern();
}
