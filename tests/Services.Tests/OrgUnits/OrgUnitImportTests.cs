using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.OrgUnits;

public abstract class OrgUnitImportTests(SystemFixture fixture)
{
    /// <summary>Root(root) → Sales(S) → North, South; Root → Ops → Field/Works (a name with a slash).</summary>
    private sealed record Tree(OrgUnitsClient Api, Unit Root, Unit Sales, Unit North, Unit South, Unit Ops, Unit Field) : IDisposable
    {
        public void Dispose() => Api.Dispose();
    }

    private async Task<Tree> NewTreeAsync()
    {
        var api = OrgUnitsClient.ForNewTenant(fixture.System);
        var root = await api.CreateAsync("Root", externalId: "root");
        var sales = await api.CreateAsync("Sales", parentId: root.Id, externalId: "S");
        var north = await api.CreateAsync("North", parentId: sales.Id);
        var south = await api.CreateAsync("South", parentId: sales.Id, externalId: "south");
        var ops = await api.CreateAsync("Ops", parentId: root.Id);
        var field = await api.CreateAsync("Field/Works", parentId: ops.Id);
        return new Tree(api, root, sales, north, south, ops, field);
    }

    /// <summary>Posts a file that must be refused whole: 400, the report's lines, and the tree exactly as before.</summary>
    private static async Task<JsonElement[]> AssertRefusedAsync(OrgUnitsClient api, byte[] csv, params long[] lines)
    {
        var before = JsonSerializer.Serialize(await api.ListAsync());
        using var response = await api.ImportAsync(csv);
        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").EnumerateArray().ToArray();
        Assert.True(problem.TryGetProperty("title", out _));
        Assert.Equal(lines, errors.Select(e => e.GetProperty("line").GetInt64()).Distinct());
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("error").GetString())));
        Assert.Equal(before, JsonSerializer.Serialize(await api.ListAsync()));
        return errors;
    }

    private static Task<JsonElement[]> AssertRefusedAsync(OrgUnitsClient api, string csv, params long[] lines) =>
        AssertRefusedAsync(api, Encoding.UTF8.GetBytes(csv), lines);

    private static string ColumnOf(JsonElement error) => error.TryGetProperty("column", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";

    private static async Task<int> AssertImportedAsync(OrgUnitsClient api, byte[] csv)
    {
        using var response = await api.ImportAsync(csv);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("updated").GetInt32();
    }

    private static Task<int> AssertImportedAsync(OrgUnitsClient api, string csv) => AssertImportedAsync(api, Encoding.UTF8.GetBytes(csv));

    [Fact]
    public async Task Import_GoodFile_ByIdAndPath_SetsRenamesMovesAndClears()
    {
        using var tree = await NewTreeAsync();
        var csv = $"""
            id,path,externalId,name,parentExternalId
            {tree.North.Id},,N-1,North Region,
            ,ROOT / sales / South,S-2,,OPS-NEW
            ,Root / Ops,OPS-NEW,,
            {tree.Sales.Id},,,,
            ,Root / Ops / field/works,fw,Field Works,

            """;

        var updated = await AssertImportedAsync(tree.Api, csv);

        Assert.Equal(5, updated);
        var north = await tree.Api.GetAsync(tree.North.Id);
        Assert.Equal(("N-1", "North Region", "Root / Sales / North Region", 2), (north.ExternalId, north.Name, north.Path, north.Version));
        var south = await tree.Api.GetAsync(tree.South.Id);
        Assert.Equal(("S-2", tree.Ops.Id, "Root / Ops / South"), (south.ExternalId, south.ParentId, south.Path));
        Assert.Equal("OPS-NEW", (await tree.Api.GetAsync(tree.Ops.Id)).ExternalId);
        var sales = await tree.Api.GetAsync(tree.Sales.Id);
        Assert.Null(sales.ExternalId);
        Assert.Equal(2, sales.Version);
        Assert.Equal(("fw", "Field Works"), ((await tree.Api.GetAsync(tree.Field.Id)).ExternalId, (await tree.Api.GetAsync(tree.Field.Id)).Name));
        Assert.Equal(1, (await tree.Api.GetAsync(tree.Root.Id)).Version);
        using var resolved = await tree.Api.ResolveAsync("s-2");
        Assert.Equal(tree.South.Id, (await OrgUnitsClient.ReadAsync<Unit>(resolved)).Id);
    }

    [Fact]
    public async Task Import_ExchangingExternalIds_IsNotAClash()
    {
        using var tree = await NewTreeAsync();

        var updated = await AssertImportedAsync(tree.Api, $"id,externalId\n{tree.Sales.Id},SOUTH\n{tree.South.Id},s\n");

        Assert.Equal(2, updated);
        Assert.Equal("SOUTH", (await tree.Api.GetAsync(tree.Sales.Id)).ExternalId);
        Assert.Equal("s", (await tree.Api.GetAsync(tree.South.Id)).ExternalId);
    }

    [Fact]
    public async Task Import_ExternalIdReleasedByTheSameFile_CanBeTakenAndParentedBy()
    {
        using var tree = await NewTreeAsync();

        // Sales gives up "S" and North takes it; Field moves under whatever holds "S" afterwards: North.
        var updated = await AssertImportedAsync(tree.Api, $"id,externalId,parentExternalId\n{tree.Sales.Id},sales-old,\n{tree.North.Id},s,\n{tree.Field.Id},,S\n");

        Assert.Equal(3, updated);
        Assert.Equal(tree.North.Id, (await tree.Api.GetAsync(tree.Field.Id)).ParentId);
    }

    [Fact]
    public async Task Import_ExternalIdHandedOverByAUnitThatClearsItsOwn_CountsAndVersionsBoth()
    {
        using var tree = await NewTreeAsync();

        // Sales clears "S" (empty cell) and North takes it in the same file: Sales must give "S" up before North can
        // have it, and still count as changed although its external id ends where an untouched empty one would.
        var updated = await AssertImportedAsync(tree.Api, $"id,externalId\n{tree.Sales.Id},\n{tree.North.Id},S\n{tree.South.Id},south\n");

        Assert.Equal(2, updated);
        var sales = await tree.Api.GetAsync(tree.Sales.Id);
        Assert.Equal((null, 2), (sales.ExternalId, sales.Version));
        var north = await tree.Api.GetAsync(tree.North.Id);
        Assert.Equal(("S", 2), (north.ExternalId, north.Version));
        Assert.Equal(1, (await tree.Api.GetAsync(tree.South.Id)).Version);
        using var resolved = await tree.Api.ResolveAsync("s");
        Assert.Equal(tree.North.Id, (await OrgUnitsClient.ReadAsync<Unit>(resolved)).Id);
    }

    [Fact]
    public async Task Import_OnlyExternalIds_LeavesNamesAndParentsAsTheyWere()
    {
        using var tree = await NewTreeAsync();

        // The file has no name or parentExternalId column: the apply then leaves those columns out altogether.
        var updated = await AssertImportedAsync(tree.Api, $"id,externalId\n{tree.North.Id},n\n{tree.Field.Id},fw\n");

        Assert.Equal(2, updated);
        var field = await tree.Api.GetAsync(tree.Field.Id);
        Assert.Equal(("fw", "Field/Works", tree.Ops.Id, "Root / Ops / Field/Works", 2), (field.ExternalId, field.Name, field.ParentId, field.Path, field.Version));
        var north = await tree.Api.GetAsync(tree.North.Id);
        Assert.Equal(("n", "North", tree.Sales.Id), (north.ExternalId, north.Name, north.ParentId));
    }

    [Fact]
    public async Task Import_UnchangedRows_AreAcceptedButNotCounted()
    {
        using var tree = await NewTreeAsync();

        var updated = await AssertImportedAsync(tree.Api, $"id,externalId,name\n{tree.Sales.Id},S,Sales\n{tree.North.Id},n,\n");

        Assert.Equal(1, updated);
        Assert.Equal(1, (await tree.Api.GetAsync(tree.Sales.Id)).Version);
    }

    [Fact]
    public async Task Import_UnknownId_IsRefusedNamingItsLine()
    {
        using var tree = await NewTreeAsync();

        var errors = await AssertRefusedAsync(tree.Api, $"id,externalId\n{tree.North.Id},n\n{Guid.NewGuid()},x\n", 3);

        Assert.Equal("id", ColumnOf(errors.Single()));
    }

    [Fact]
    public async Task Import_UnknownPath_IsRefusedNamingItsLine()
    {
        using var tree = await NewTreeAsync();

        var errors = await AssertRefusedAsync(tree.Api, "path,externalId\nRoot / Sales,s\nRoot / Nowhere,x\nRoot/Sales/North,n\n", 3, 4);

        Assert.All(errors, e => Assert.Equal("path", ColumnOf(e)));
    }

    [Fact]
    public async Task Import_AmbiguousPath_IsRefusedInsteadOfPickingOne()
    {
        using var tree = await NewTreeAsync();
        await tree.Api.CreateAsync("sales", parentId: tree.Root.Id);

        var errors = await AssertRefusedAsync(tree.Api, "path,externalId\nRoot / Sales,x\n", 2);

        Assert.Contains("2 org units", errors.Single().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_DuplicateExternalIdWithinFile_IsRefusedOnTheLaterLine()
    {
        using var tree = await NewTreeAsync();

        var errors = await AssertRefusedAsync(tree.Api, $"id,externalId\n{tree.North.Id},dup\n{tree.Ops.Id},other\n{tree.Field.Id},DUP\n", 4);

        Assert.Equal("externalId", ColumnOf(errors.Single()));
        Assert.Contains("line 2", errors.Single().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ExternalIdOfAUnitTheFileDoesNotChange_IsAClash()
    {
        using var tree = await NewTreeAsync();

        var errors = await AssertRefusedAsync(tree.Api, $"id,externalId\n{tree.North.Id},n\n{tree.Ops.Id},SOUTH\n", 3);

        Assert.Equal("externalId", ColumnOf(errors.Single()));
        Assert.Contains(tree.South.Id, errors.Single().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_SameUnitTwice_IsRefused()
    {
        using var tree = await NewTreeAsync();

        await AssertRefusedAsync(tree.Api, $"id,path,externalId\n{tree.North.Id},,a\n,Root / Sales / North,b\n", 3);
    }

    [Fact]
    public async Task Import_UnknownParent_IsRefused()
    {
        using var tree = await NewTreeAsync();

        // "S" is given up by Sales in this very file, so no unit holds it afterwards.
        var errors = await AssertRefusedAsync(tree.Api, $"id,externalId,parentExternalId\n{tree.Sales.Id},sales,\n{tree.North.Id},n,nope\n{tree.Field.Id},f,s\n", 3, 4);

        Assert.All(errors, e => Assert.Equal("parentExternalId", ColumnOf(e)));
    }

    [Fact]
    public async Task Import_MoveUnderOwnDescendant_IsRefusedAsACycle()
    {
        using var tree = await NewTreeAsync();

        var errors = await AssertRefusedAsync(tree.Api, $"id,externalId,parentExternalId\n{tree.North.Id},n,\n{tree.Sales.Id},S,n\n", 3);

        Assert.Contains("cycle", errors.Single().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_TwoMovesThatTogetherMakeACycle_AreBothRefused()
    {
        using var tree = await NewTreeAsync();

        // Each move alone is fine; together Sales and Ops would hang under each other.
        await AssertRefusedAsync(tree.Api, $"id,externalId,parentExternalId\n{tree.Sales.Id},S,ops\n{tree.Ops.Id},ops,S\n", 2, 3);
    }

    [Fact]
    public async Task Import_MoveOfTheRootOrUnderItself_IsRefused()
    {
        using var tree = await NewTreeAsync();

        await AssertRefusedAsync(tree.Api, $"id,externalId,parentExternalId\n{tree.Root.Id},root,S\n{tree.North.Id},n,N\n", 2, 3);
    }

    [Theory]
    [InlineData("id,name\n", "externalId")]
    [InlineData("externalId,name\n", "id")]
    [InlineData("id,externalId,colour\n", "colour")]
    [InlineData("id,externalId,ID\n", "id")]
    public async Task Import_BadHeader_IsRefusedOnLineOne(string header, string column)
    {
        using var tree = await NewTreeAsync();

        var errors = await AssertRefusedAsync(tree.Api, header + $"{tree.North.Id},n\n", 1);

        Assert.Contains(errors, e => string.Equals(ColumnOf(e), column, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Import_EmptyFile_IsRefused()
    {
        using var tree = await NewTreeAsync();

        await AssertRefusedAsync(tree.Api, "", 1);
    }

    [Fact]
    public async Task Import_TooManyAndTooFewCells_AreRefusedPerLine()
    {
        using var tree = await NewTreeAsync();

        await AssertRefusedAsync(tree.Api, $"id,externalId\n{tree.North.Id},n\n{tree.Ops.Id},o,extra\n{tree.Field.Id}\n", 3, 4);
    }

    [Fact]
    public async Task Import_BadUtf8_IsRefusedNamingLineAndColumn()
    {
        using var tree = await NewTreeAsync();
        var csv = new List<byte>(Encoding.UTF8.GetBytes($"id,externalId\n{tree.North.Id},ok\n{tree.Ops.Id},bad"));
        csv.AddRange([0xC3, 0x28, (byte)'\n']);
        csv.AddRange(Encoding.UTF8.GetBytes($"{tree.Field.Id},fine\n"));

        var errors = await AssertRefusedAsync(tree.Api, [.. csv], 3);

        Assert.Equal("externalId", ColumnOf(errors.Single()));
    }

    [Fact]
    public async Task Import_IdAndPathBothOrNeither_IsRefused()
    {
        using var tree = await NewTreeAsync();

        await AssertRefusedAsync(tree.Api, $"id,path,externalId\n{tree.North.Id},Root / Sales / North,n\n,,x\n", 2, 3);
    }

    [Fact]
    public async Task Import_InvalidValues_AreRefusedNamingTheColumn()
    {
        using var tree = await NewTreeAsync();

        var errors = await AssertRefusedAsync(
            tree.Api, $"id,externalId,name\n{tree.North.Id},{new string('x', 101)},\n{tree.Ops.Id},o,{new string('n', 201)}\n", 2, 3);

        Assert.Equal(["externalId", "name"], errors.Select(ColumnOf));
    }

    [Fact]
    public async Task Import_ManyBadRows_ReportIsCappedAndCountsTheRest()
    {
        using var tree = await NewTreeAsync();
        var csv = new StringBuilder("id,externalId\n");
        for (var i = 0; i < 1_500; i++)
        {
            csv.Append(Guid.NewGuid()).Append(",x").Append(i).Append('\n');
        }

        using var response = await tree.Api.ImportAsync(csv.ToString());

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").EnumerateArray().ToArray();
        Assert.Equal(1_000, errors.Length);
        Assert.Equal(2, errors[0].GetProperty("line").GetInt64());
        Assert.Equal(1_001, errors[^1].GetProperty("line").GetInt64());
        Assert.Equal(1_500, problem.GetProperty("errorCount").GetInt64());
        Assert.Equal(500, problem.GetProperty("moreErrors").GetInt64());
    }

    [Fact]
    public async Task Import_QuotedCells_CommasDoubledQuotesCrLfAndNoFinalNewline()
    {
        using var tree = await NewTreeAsync();
        var csv = $"\"id\",\"externalId\",\"name\"\r\n\"{tree.North.Id}\",\"N,1\",\"North, \"\"Upper\"\"\"\r\n{tree.South.Id},\"\",\"\"";

        var updated = await AssertImportedAsync(tree.Api, csv);

        Assert.Equal(2, updated);
        var north = await tree.Api.GetAsync(tree.North.Id);
        Assert.Equal(("N,1", "North, \"Upper\""), (north.ExternalId, north.Name));
        var south = await tree.Api.GetAsync(tree.South.Id);
        Assert.Null(south.ExternalId);
        Assert.Equal("South", south.Name);
    }

    [Fact]
    public async Task Import_QuotedLineBreak_CountsPhysicalLinesInTheReport()
    {
        using var tree = await NewTreeAsync();

        // The record on line 2 spans lines 2-3 (a name may not hold a line break); the next record starts on line 4.
        var errors = await AssertRefusedAsync(tree.Api, $"id,externalId,name\n{tree.North.Id},n,\"Two\nLines\"\n{Guid.NewGuid()},x,\n", 2, 4);

        Assert.Equal(["name", "id"], errors.Select(ColumnOf));
    }

    [Theory]
    [InlineData("{0},\"open,\n")]
    [InlineData("{0},\"closed\"trailing,\n")]
    [InlineData("{0},a\"b,\n")]
    public async Task Import_MalformedQuoting_IsRefusedOnItsLine(string row)
    {
        using var tree = await NewTreeAsync();

        await AssertRefusedAsync(tree.Api, $"id,externalId,name\n{tree.Ops.Id},o,\n" + string.Format(System.Globalization.CultureInfo.InvariantCulture, row, tree.North.Id), 3);
    }

    [Fact]
    public async Task Import_BlankLines_AreSkippedButCounted()
    {
        using var tree = await NewTreeAsync();

        var errors = await AssertRefusedAsync(tree.Api, $"id,externalId\n\n{tree.North.Id},n\n\r\n\n{Guid.NewGuid()},x\n\n", 6);

        Assert.Equal("id", ColumnOf(errors.Single()));
    }

    [Fact]
    public async Task Import_WithByteOrderMark_ReadsTheHeader()
    {
        using var tree = await NewTreeAsync();
        var csv = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes($"id,externalId\n{tree.North.Id},bom-n\n")).ToArray();

        var updated = await AssertImportedAsync(tree.Api, csv);

        Assert.Equal(1, updated);
        Assert.Equal("bom-n", (await tree.Api.GetAsync(tree.North.Id)).ExternalId);
    }

    [Fact]
    public async Task Import_NotCsv_Returns415()
    {
        using var tree = await NewTreeAsync();

        using var response = await tree.Api.ImportAsync(new StringContent($"id,externalId\n{tree.North.Id},n\n", Encoding.UTF8, "application/json"));

        await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Null((await tree.Api.GetAsync(tree.North.Id)).ExternalId);
    }

    [Fact]
    public async Task Import_BodyOverTheCap_Returns413AndChangesNothing()
    {
        using var tree = await NewTreeAsync();

        // A valid row, then one quoted cell of 51 MB, streamed without a Content-Length.
        using var content = new GeneratedCsvContent($"id,externalId\n{tree.North.Id},n\n{tree.Ops.Id},\"", new string('x', 1024 * 1024), 51);
        using var response = await tree.Api.ImportAsync(content);

        await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Null((await tree.Api.GetAsync(tree.North.Id)).ExternalId);
    }
}

/// <summary>A CSV body written as it is sent (chunked): a head, then a block repeated, never held whole.</summary>
public sealed class GeneratedCsvContent : HttpContent
{
    private readonly Func<Stream, Task> _write;

    public GeneratedCsvContent(string head, string block, int repeat)
        : this(async stream =>
        {
            var headBytes = Encoding.UTF8.GetBytes(head);
            await stream.WriteAsync(headBytes);
            var blockBytes = Encoding.UTF8.GetBytes(block);
            for (var i = 0; i < repeat; i++)
            {
                await stream.WriteAsync(blockBytes);
            }
        })
    {
    }

    public GeneratedCsvContent(Func<Stream, Task> write)
    {
        _write = write;
        Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _write(stream);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

public sealed class OrgUnitImportTestsOnSqlite(SqliteSystemFixture fixture) : OrgUnitImportTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class OrgUnitImportTestsOnPostgres(PostgresSystemFixture fixture) : OrgUnitImportTests(fixture), IClassFixture<PostgresSystemFixture>;
