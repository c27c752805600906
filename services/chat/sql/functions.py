"""The functions a query may call, per dialect: an allow-list, so anything not named here is refused.

Two kinds of calls reach the checker (`sql.safety`):
- functions sqlglot knows (a typed node such as `exp.Sum` or `exp.TimeToStr`): allowed when their
  class is in ALLOWED_CLASSES. The statement is re-rendered from the tree before it runs, so what
  executes is the dialect's own spelling of that class (`strftime`, `to_char`, `DATE_FORMAT`...);
- functions it does not know (`exp.Anonymous`, kept by name): allowed when the lowercased name is
  in the dialect's ALLOWED_NAMES (plus CATALOG_NAMES for introspection queries that opt in).

What is left out on purpose: anything that takes a table, a query or a file as a string
(`query_to_xml`, `table_to_xml`, `ts_stat`, `json_execute_serialized_sql`, `read_csv`, `query`...),
reads server state or settings (`pg_stat_*`, `current_setting`, `getenv`, `version`), changes the
server (replication slots, `pg_stat_reset`, `set_config`, `nextval`, advisory locks...), sleeps or
loops (`pg_sleep`, `sleep`, `benchmark`), and every user-defined function. A read-only connection
stays underneath this as the second layer.
"""

from __future__ import annotations

from sqlglot import exp

# sqlglot classes of pure, side-effect-free expressions: operators sqlglot models as functions,
# aggregates, window functions, maths, strings, dates, JSON and arrays. Looked up by name because
# the set of classes varies between sqlglot releases; a name a release lacks is skipped.
_CLASS_NAMES = """
And Or Xor Case If Cast TryCast Coalesce Nullif Nvl2 Exists Extract Greatest Least Collate Array Struct
Count CountIf Sum Avg Min Max AnyValue ArrayAgg GroupConcat Median Mode Quantile ApproxQuantile
PercentileCont PercentileDisc ApproxDistinct Stddev StddevPop StddevSamp Variance VariancePop Corr CovarPop
CovarSamp LogicalAnd LogicalOr BitwiseAndAgg BitwiseOrAgg BitwiseXorAgg ArgMax ArgMin First Last Kurtosis
Skewness RegrSlope RegrIntercept RegrR2 RegrCount RegrAvgx RegrAvgy RegrSxx RegrSyy RegrSxy List Grouping
GroupingId JSONArrayAgg JSONObjectAgg JSONBObjectAgg
RowNumber Rank DenseRank PercentRank CumeDist Ntile Lag Lead FirstValue LastValue NthValue
Abs Acos Asin Atan Atan2 Ceil Floor Cos Cot Sin Tan Degrees Radians Exp Ln Log Pow Sqrt Cbrt Round Sign
Trunc Pi Rand SafeDivide WidthBucket Factorial IsNan IsInf
Lower Upper Length ByteLength BitLength Substring Trim Concat ConcatWs Replace Left Right Pad Initcap
Reverse Repeat Space StrPosition SplitPart Translate Ascii Chr Unicode Levenshtein Soundex MD5 SHA SHA2 Hex
Unhex LowerHex ToBase64 FromBase64 RegexpLike RegexpILike RegexpReplace RegexpExtract RegexpExtractAll
RegexpSplit RegexpCount RegexpSubstr RegexpInstr StartsWith EndsWith Contains Overlay SubstringIndex
Normalize Split StringToArray ArrayToString Format Encode Decode Convert
CurrentDate CurrentTime CurrentTimestamp CurrentDatetime Localtime Localtimestamp UtcDate UtcTime UtcTimestamp
Date Datetime Time Timestamp DateAdd DateSub DateDiff DateTrunc DatetimeAdd DatetimeSub DatetimeDiff
DatetimeTrunc TimestampAdd TimestampSub TimestampDiff TimestampTrunc TimeAdd TimeSub TimeDiff TimeTrunc
TimeToStr StrToTime StrToDate StrToUnix TimeStrToDate TimeStrToTime TimeStrToUnix TimeToTimeStr TimeToUnix
UnixToStr UnixToTime UnixToTimeStr UnixSeconds UnixDate DateToDateStr DateStrToDate DateFromParts
TimestampFromParts TimeFromParts MakeInterval TsOrDsAdd TsOrDsDiff TsOrDsToDate TsOrDsToDateStr
TsOrDsToTimestamp TsOrDsToDatetime TsOrDsToTime Year Quarter Month Week WeekOfYear YearOfWeek YearOfWeekIso
Day DayOfMonth DayOfWeek DayOfWeekIso DayOfYear Hour Minute Second Dayname Monthname LastDay AddMonths
MonthsBetween NextDay ToChar ToNumber JustifyDays JustifyHours JustifyInterval DateBin
JSONExtract JSONExtractScalar JSONBExtract JSONBExtractScalar JSONBContains JSONBExists JSONArrayContains
ParseJSON JSONObject JSONArray JSONFormat JSONType JSONExists JSONExtractArray JSONKeys
ArrayContains ArrayContainsAll ArrayOverlaps ArraySize ArrayConcat ArrayDistinct ArrayPosition ArraySlice
ArraySort ArrayAppend ArrayPrepend ArrayRemove ArrayReverse ArrayIntersect ArrayFilter StructExtract
Unnest Explode GenerateSeries ExplodingGenerateSeries GenerateDateArray
CurrentSchema CurrentDatabase CurrentCatalog CurrentUser SessionUser Typeof Uuid EqualNull Try
""".split()
ALLOWED_CLASSES: frozenset[type] = frozenset(
    cls for name in _CLASS_NAMES if isinstance(cls := getattr(exp, name, None), type) and issubclass(cls, exp.Func)
)

# Names every dialect shares (standard SQL spelled the same way everywhere).
_COMMON = """
abs ceil ceiling floor round sign sqrt exp ln log log10 power pow mod pi degrees radians
acos asin atan atan2 cos sin tan cot
lower upper length char_length character_length octet_length trim ltrim rtrim replace reverse repeat
substring substr concat concat_ws left right lpad rpad position replace ascii md5
coalesce nullif greatest least
count sum avg min max stddev stddev_pop stddev_samp variance var_pop var_samp corr covar_pop covar_samp
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
current_date current_time current_timestamp
""".split()

ALLOWED_NAMES: dict[str, frozenset[str]] = {
    "sqlite": frozenset(
        _COMMON
        + """
        date time datetime julianday unixepoch strftime timediff
        printf format instr char unicode hex unhex quote soundex glob like zeroblob randomblob random typeof
        iif ifnull likely unlikely likelihood total group_concat string_agg median
        log2 trunc
        json json_extract json_array json_object json_array_length json_type json_valid json_quote
        json_group_array json_group_object json_each json_tree
        """.split()
    ),
    "postgres": frozenset(
        _COMMON
        + """
        date_part date_trunc to_char to_date to_timestamp to_number age make_date make_time make_timestamp
        make_interval justify_days justify_hours justify_interval isfinite now statement_timestamp
        transaction_timestamp clock_timestamp localtime localtimestamp date_bin timezone extract
        btrim strpos split_part string_to_array array_to_string regexp_replace regexp_match regexp_matches
        regexp_like regexp_count regexp_substr regexp_instr regexp_split_to_array regexp_split_to_table initcap
        bit_length translate to_hex chr starts_with format quote_ident quote_literal quote_nullable
        encode decode sha224 sha256 sha384 sha512 left right
        cbrt div factorial gcd lcm log10 scale trunc width_bucket random
        string_agg array_agg bool_and bool_or every bit_and bit_or percentile_cont percentile_disc mode
        regr_slope regr_intercept regr_r2 regr_count regr_avgx regr_avgy regr_sxx regr_syy regr_sxy
        json_agg jsonb_agg json_object_agg jsonb_object_agg
        json_build_object jsonb_build_object json_build_array jsonb_build_array to_json to_jsonb
        json_array_length jsonb_array_length json_extract_path json_extract_path_text jsonb_extract_path
        jsonb_extract_path_text json_typeof jsonb_typeof json_array_elements json_array_elements_text
        jsonb_array_elements jsonb_array_elements_text json_each jsonb_each json_each_text jsonb_each_text
        json_object_keys jsonb_object_keys jsonb_pretty row_to_json
        array_length array_position array_positions array_remove array_replace array_append array_prepend
        array_cat array_lower array_upper cardinality unnest generate_series
        num_nonnulls num_nulls gen_random_uuid pg_typeof current_schema current_database
        to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd
        ts_headline
        """.split()
    ),
    "mysql": frozenset(
        _COMMON
        + """
        date_format str_to_date year quarter month week yearweek weekofyear weekday dayofweek dayofmonth
        dayofyear day hour minute second microsecond dayname monthname last_day curdate curtime now
        current_date datediff timestampdiff timestampadd date_add date_sub adddate subdate addtime subtime
        unix_timestamp from_unixtime makedate maketime date time timestamp time_format extract period_add
        period_diff to_days from_days to_seconds sec_to_time time_to_sec convert_tz
        lcase ucase locate instr field find_in_set elt format hex unhex sha1 sha2 regexp_like regexp_replace
        regexp_substr regexp_instr ord char quote strcmp soundex space substring_index insert
        truncate log2 rand crc32 conv
        if ifnull group_concat std bit_and bit_or bit_xor json_arrayagg json_objectagg
        json_extract json_unquote json_object json_array json_length json_contains json_keys json_value
        json_type json_valid json_search json_contains_path json_quote
        database schema
        """.split()
    ),
    "duckdb": frozenset(
        _COMMON
        + """
        strftime strptime date_trunc datetrunc date_part datepart date_diff datediff date_sub datesub date_add
        epoch epoch_ms make_date make_time make_timestamp today now year month day quarter week weekofyear
        yearweek dayofweek dayofmonth dayofyear isodow isoyear hour minute second dayname monthname last_day
        age to_timestamp time_bucket to_days to_months to_years to_hours to_minutes to_seconds
        strlen string_split str_split split_part regexp_matches regexp_replace regexp_extract regexp_extract_all
        regexp_full_match contains starts_with ends_with prefix suffix instr strpos format printf sha256 hash
        levenshtein jaro_winkler_similarity jaccard damerau_levenshtein chr lcase ucase
        log2 trunc random even factorial gcd lcm isnan isinf
        ifnull median mode quantile quantile_cont quantile_disc approx_count_distinct approx_quantile arg_max
        arg_min argmax argmin max_by min_by first last any_value bool_and bool_or list array_agg string_agg
        group_concat count_if countif product bit_and bit_or bit_xor fsum kurtosis skewness entropy
        regr_slope regr_intercept regr_r2 regr_count
        list_value list_contains list_has len array_length list_aggregate list_sort list_distinct
        unnest generate_series range
        json_extract json_extract_string json_array_length json_type json_valid json_keys json_object json_array
        typeof current_schema current_database
        """.split()
    ),
}

# Functions introspection queries need, allowed only with catalog=True.
CATALOG_NAMES: dict[str, frozenset[str]] = {
    "sqlite": frozenset({"pragma_table_info", "pragma_table_xinfo", "pragma_foreign_key_list", "pragma_index_list"}),
    "postgres": frozenset({"format_type"}),
    "mysql": frozenset(),
    "duckdb": frozenset(),
}


def function_name(node: exp.Func) -> str:
    """How the query names the function, for messages (the name as written for unknown ones)."""
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    names = type(node).sql_names()
    return (names[0] if names else type(node).__name__).lower()


def allowed(node: exp.Func, read: str, *, catalog: bool = False) -> bool:
    """Whether the function call `node` of sqlglot dialect `read` may run."""
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        return name in ALLOWED_NAMES.get(read, frozenset()) or (catalog and name in CATALOG_NAMES.get(read, ()))
    return type(node) in ALLOWED_CLASSES
