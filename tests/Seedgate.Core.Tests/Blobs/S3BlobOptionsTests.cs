using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Tests.Blobs;

/// <summary>The S3 options on their own (no server needed).</summary>
public sealed class S3BlobOptionsTests
{
    [Fact]
    public void Binds_from_the_configuration_section_with_defaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Seedgate:Blobs:S3:ServiceUrl"] = "http://127.0.0.1:4569",
            ["Seedgate:Blobs:S3:Bucket"] = "seedgate-outputs",
            ["Seedgate:Blobs:S3:Prefix"] = "prod/eu",
        }).Build();

        var options = configuration.GetSection(S3BlobOptions.SectionName).Get<S3BlobOptions>()!;

        Assert.Equal("http://127.0.0.1:4569", options.ServiceUrl);
        Assert.Equal("seedgate-outputs", options.Bucket);
        Assert.Equal("prod/eu/", options.NormalizedPrefix);
        Assert.Equal("us-east-1", options.Region);
        Assert.True(options.ForcePathStyle);
        Assert.Null(options.AccessKey);
        Assert.Empty(options.Problems());
        Assert.True(new S3BlobOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void No_prefix_means_keys_at_the_bucket_root()
    {
        Assert.Equal("", new S3BlobOptions { Bucket = "abc" }.NormalizedPrefix);
        Assert.Equal("a/", new S3BlobOptions { Bucket = "abc", Prefix = "a/" }.NormalizedPrefix);
    }

    [Theory]
    [InlineData("ServiceUrl", "127.0.0.1:4569", "ServiceUrl must be an absolute http(s) URL")]
    [InlineData("ServiceUrl", "ftp://host", "ServiceUrl must be an absolute http(s) URL")]
    [InlineData("Bucket", "", "Bucket is required")]
    [InlineData("Bucket", "ab", "Bucket must be 3–63 characters long")]
    [InlineData("Bucket", "My_Bucket", "Bucket may only contain a-z, 0-9, '-' and '.', not 'M'")]
    [InlineData("Bucket", "-abc", "Bucket must start and end with a letter or digit")]
    [InlineData("Bucket", "a..b", "Bucket must not contain '..'")]
    [InlineData("Prefix", "/abs", "Prefix is invalid: it must be relative")]
    [InlineData("Prefix", "a//b", "Prefix is invalid: it has an empty segment")]
    [InlineData("Prefix", "Prod", "Prefix is invalid: the character 'P' is not allowed")]
    [InlineData("AccessKey", "key-without-secret", "AccessKey and Seedgate:Blobs:S3:SecretKey must be set together")]
    [InlineData("SecretKey", "secret-without-key", "AccessKey and Seedgate:Blobs:S3:SecretKey must be set together")]
    [InlineData("Region", " ", "Region must not be empty")]
    public void Each_problem_is_named_with_its_configuration_key(string property, string value, string expected)
    {
        var options = new S3BlobOptions { ServiceUrl = "http://127.0.0.1:4569", Bucket = "seedgate" };
        typeof(S3BlobOptions).GetProperty(property)!.SetValue(options, value);

        var problem = Assert.Single(options.Problems());

        Assert.StartsWith("Seedgate:Blobs:S3:", problem);
        Assert.Contains(expected, problem);
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains(expected, error.Message);
        Assert.False(new S3BlobOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void The_store_refuses_invalid_options_listing_every_problem()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new S3BlobStore(new S3BlobOptions
        {
            ServiceUrl = "ftp://x",
            Bucket = "",
        }));
        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void No_service_url_means_aws_itself()
    {
        using var store = new S3BlobStore(new S3BlobOptions { Bucket = "seedgate", Region = "eu-west-1", AccessKey = "a", SecretKey = "b" });

        Assert.Equal("seedgate", store.Bucket);
        Assert.Equal("eu-west-1", store.Client.Config.RegionEndpoint?.SystemName);
    }
}
