using AltinnApp.Core;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

public class NorwegianIdentifiersTests
{
    [Theory]
    [InlineData("950474084", true)]
    [InlineData("310461598", true)]
    [InlineData("950474085", false)] // wrong control digit
    [InlineData("999888777", false)]
    [InlineData("95047408", false)]  // eight digits
    [InlineData("95047408a", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Organization_numbers_are_checked_with_their_mod11_digit(string value, bool valid) =>
        Assert.Equal(valid, NorwegianIdentifiers.IsValidOrganizationNumber(value));

    [Theory]
    [InlineData("08089403198", true)]
    [InlineData("17912099997", true)]
    [InlineData("08089403199", false)]
    [InlineData("01039012345", false)]
    [InlineData("0808940319", false)]
    public void Person_numbers_are_checked_with_both_control_digits(string value, bool valid) =>
        Assert.Equal(valid, NorwegianIdentifiers.IsValidPersonNumber(value));

    [Fact]
    public void Person_numbers_are_masked_after_the_birth_date() =>
        Assert.Equal("080894*****", NorwegianIdentifiers.MaskPersonNumber("08089403198"));

    [Fact]
    public void A_bad_organization_number_says_what_is_wrong()
    {
        var ex = Assert.Throws<AltinnArgumentException>(() => NorwegianIdentifiers.RequireOrganizationNumber("123456789", "OrganizationNumber"));
        Assert.Equal("Altinn.InvalidOrganizationNumber", ex.ErrorId);
        Assert.Contains("control digit", ex.Message);
    }

    [Theory]
    [InlineData("313725138\u00a0")]      // a no-break space after it, as a spreadsheet cell leaves it
    [InlineData("313\u00a0725\u00a0138")] // grouped as nb-NO writes numbers
    [InlineData("313\u202f725\u202f138")] // grouped with narrow no-break spaces
    [InlineData("\u200b313725138")]      // a zero-width space copied from a web page
    [InlineData(" 313 725 138 ")]
    public void Spaces_of_every_kind_and_invisible_characters_are_not_part_of_an_organisation_number(string value) =>
        Assert.Equal("313725138", NorwegianIdentifiers.RequireOrganizationNumber(value, "OrganizationNumber"));

    [Fact]
    public void A_character_that_is_not_a_digit_is_named()
    {
        var ex = Assert.Throws<AltinnArgumentException>(() => NorwegianIdentifiers.RequireOrganizationNumber("31O461598", "OrganizationNumber"));
        Assert.Contains("'O' (U+004F), which is not a digit", ex.Message);
        var dash = Assert.Throws<AltinnArgumentException>(() => NorwegianIdentifiers.RequireOrganizationNumber("310-461-598", "OrganizationNumber"));
        Assert.Contains("'-' (U+002D), which is not a digit", dash.Message);
    }

    [Fact]
    public void The_0192_prefix_is_accepted() =>
        Assert.Equal("950474084", NorwegianIdentifiers.RequireOrganizationNumber("0192:950474084", "X"));

    [Fact]
    public void A_bad_person_number_is_masked_in_the_error()
    {
        var ex = Assert.Throws<AltinnArgumentException>(() => NorwegianIdentifiers.RequirePersonNumber("08089403199", "PersonNumber"));
        Assert.DoesNotContain("08089403199", ex.Message);
        Assert.Contains("080894*****", ex.Message);
    }

    [Theory]
    [InlineData("500700/232c5390-9479-4506-a266-9890d7287bfb", true)]
    [InlineData("500700/232c5390", false)]
    [InlineData("232c5390-9479-4506-a266-9890d7287bfb", false)]
    [InlineData("-1/232c5390-9479-4506-a266-9890d7287bfb", false)]
    [InlineData("500700/232c5390-9479-4506-a266-9890d7287bfb/x", false)]
    public void Instance_ids_are_party_slash_guid(string value, bool valid) =>
        Assert.Equal(valid, InstanceIdentifier.TryParse(value, out _));

    [Theory]
    [InlineData("brg/aarsregnskap", "brg", "aarsregnskap")]
    [InlineData("/BRG/Aarsregnskap/", "brg", "aarsregnskap")]
    public void App_ids_are_org_slash_app(string value, string org, string app)
    {
        var id = AppIdentifier.Parse(value);
        Assert.Equal(org, id.Org);
        Assert.Equal(app, id.App);
    }

    [Theory]
    [InlineData("aarsregnskap")]
    [InlineData("brg/aars regnskap")]
    [InlineData("a/b/c")]
    public void Bad_app_ids_are_refused(string value) =>
        Assert.Equal("Altinn.InvalidApp", Assert.Throws<AltinnArgumentException>(() => AppIdentifier.Parse(value)).ErrorId);
}
