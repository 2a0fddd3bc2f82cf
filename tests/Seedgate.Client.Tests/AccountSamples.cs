namespace Seedgate.Testing;

/// <summary>Answers of GET /v1/balance and GET /v1/usage in the gateway's shape, for the SDK's and the CLI's tests.</summary>
public static class AccountSamples
{
    public const string Balance = """
        {"account_id":"team-a","period_start":"2026-12-01T00:00:00+00:00","charged_micros":75000,"charged_usd":0.075,
         "reserved_micros":40000,"reserved_usd":0.04,"budget_micros":null,"budget_usd":null,"budget_left_micros":null,
         "budget_left_usd":null,"free_fast_used":20,"free_fast_left":0,"credit_micros":1000000,"credit_usd":1,
         "balance_micros":925000,"balance_usd":0.925}
        """;

    public const string Usage = """
        {"account_id":"team-a","from":"2026-12-01T00:00:00+00:00","to":"2026-12-09T10:00:00+00:00","group_by":"week",
         "total":{"jobs":{"total":6,"succeeded":4,"failed":1,"cancelled":1,"expired":0,"open":0},"output_seconds":17.042,
                  "cost_micros":230000,"cost_usd":0.23,"free_quota_jobs":1,
                  "cost_per_job":{"jobs":3,"p50_micros":60000,"p50_usd":0.06,"p95_micros":120000,"p95_usd":0.12}},
         "groups":[{"key":"2026-W49","jobs":{"total":6,"succeeded":4,"failed":1,"cancelled":1,"expired":0,"open":0},
                    "output_seconds":17.042,"cost_micros":230000,"cost_usd":0.23,"free_quota_jobs":1,
                    "cost_per_job":{"jobs":3,"p50_micros":60000,"p50_usd":0.06,"p95_micros":120000,"p95_usd":0.12}}],
         "cost_per_job_by_model":[{"key":"seedance-2.0","cost_per_job":{"jobs":1,"p50_micros":120000,"p50_usd":0.12,"p95_micros":120000,"p95_usd":0.12}},
                                  {"key":"seedance-2.0-fast","cost_per_job":{"jobs":0,"p50_micros":null,"p50_usd":null,"p95_micros":null,"p95_usd":null}}],
         "cost_per_job_by_week":[{"key":"2026-W49","cost_per_job":{"jobs":3,"p50_micros":60000,"p50_usd":0.06,"p95_micros":120000,"p95_usd":0.12}}]}
        """;
}
