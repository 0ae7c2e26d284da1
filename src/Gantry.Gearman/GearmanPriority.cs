namespace Gantry.Gearman;

/// <summary>Gearman's three priority levels, in the order jobs are handed out.</summary>
internal enum GearmanPriority
{
    High = 0,
    Normal = 1,
    Low = 2,
}
