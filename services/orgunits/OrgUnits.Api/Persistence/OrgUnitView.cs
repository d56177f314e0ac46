using System.Globalization;

namespace Microservices.OrgUnits.Api.Persistence;

/// <summary>An org unit as the internal API returns it.</summary>
public sealed record OrgUnitView(
    string Id,
    string Name,
    string? ExternalId,
    string? ParentId,
    bool Enabled,
    string Path,
    int Depth,
    int Version,
    string Created,
    string LastModified)
{
    internal static OrgUnitView From(OrgUnitRow row, string path, int depth) => new(
        row.Id, row.Name, row.ExternalId, row.ParentId, row.Enabled, path, depth, row.Version, Iso(row.CreatedAt), Iso(row.LastModified));

    private static string Iso(long microseconds) =>
        DateTime.UnixEpoch.AddTicks(microseconds * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One stored unit; path and depth are derived from its ancestors.</summary>
internal sealed record OrgUnitRow(
    string Id, string Name, string? ExternalId, string? ParentId, bool Enabled, int Version, long CreatedAt, long LastModified)
{
    public const string Columns = "id, name, external_id, parent_id, enabled, version, created_at, last_modified";

    public static OrgUnitRow Read(System.Data.Common.DbDataReader reader, int offset = 0) => new(
        reader.GetString(offset),
        reader.GetString(offset + 1),
        reader.IsDBNull(offset + 2) ? null : reader.GetString(offset + 2),
        reader.IsDBNull(offset + 3) ? null : reader.GetString(offset + 3),
        Convert.ToBoolean(reader.GetValue(offset + 4), CultureInfo.InvariantCulture),
        Convert.ToInt32(reader.GetValue(offset + 5), CultureInfo.InvariantCulture),
        Convert.ToInt64(reader.GetValue(offset + 6), CultureInfo.InvariantCulture),
        Convert.ToInt64(reader.GetValue(offset + 7), CultureInfo.InvariantCulture));
}
