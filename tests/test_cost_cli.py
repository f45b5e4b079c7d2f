"""``python -m patterns.cost``: a conventional command, and priced output whose every number
traces to a SKU, a rate code and a publication date (a stubbed Price List Query API)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped]

from patterns import cost
from patterns.cost import pricelist
from patterns.cost.cli import main
from tests.cost_prices import pricing_client, synthetic_item, synthetic_offer
from tests.helpers import ROOT, SynthesizedApp

REGION = "eu-west-1"


def _assembly(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    resources = {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
    }
    (tmp_path / "S.template.json").write_text(json.dumps({"Resources": resources}))
    manifest = {
        "artifacts": {
            "S": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "S.template.json"},
            }
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = _run(argv, capsys)
    assert code == 2, (argv, out, err)
    assert out == ""
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_help_describes_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--help"], capsys)
    assert code == 0
    for option in ("--region", "--offers", "--price-cache", "--prices", "--message-kb", "--format"):
        assert option in out


@pytest.mark.parametrize("form", [["--message-kb", "100"], ["--message-kb=100"]])
def test_both_option_forms_set_the_message_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: list[str]
) -> None:
    code, out, _ = _run([str(_assembly(tmp_path)), *form, "--format", "json"], capsys)
    assert code == 0
    document = json.loads(out)
    assert "messages of up to 100 KB" in document["assumptions"]
    (queue,) = [line for line in document["stacks"][0]["lines"] if line["resource"] == "Queue"]
    assert queue["quantity"] == 3 * 2 * 1e6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--messagekb=2"], "unrecognized arguments: --messagekb=2"),
        (["--message-kb", "0"], "0 is not between 1 and 1,024"),
        (["--message-kb=abc"], "'abc' is not a whole number"),
        (["--format", "xml"], "invalid choice: 'xml'"),
        (["--pricing-endpoint", "eu-west-1"], "invalid choice: 'eu-west-1'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert message in _usage_error([str(_assembly(tmp_path)), *argv], capsys)


def test_unreadable_assemblies_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "does not exist" in _usage_error([str(tmp_path / "missing")], capsys)
    assert "no manifest.json" in _usage_error([str(tmp_path)], capsys)
    (tmp_path / "manifest.json").write_text("{not json")
    assert "is not valid JSON" in _usage_error([str(tmp_path)], capsys)
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": {}}))
    assert "holds no stack" in _usage_error([str(tmp_path)], capsys)
    manifest = {
        "artifacts": {
            "S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "gone.json"}}
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert "gone.json does not exist" in _usage_error([str(tmp_path)], capsys)


def test_a_template_with_values_of_the_wrong_type_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assembly = _assembly(tmp_path)
    function = {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": "lots"}}
    mapping = {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {"FunctionName": {"Ref": "F"}, "EventSourceArn": "arn"},
    }
    template = {"Resources": {"F": function, "M": mapping}}
    (assembly / "S.template.json").write_text(json.dumps(template))
    err = _usage_error([str(assembly)], capsys)
    assert "a template holds a value of an unexpected type or form" in err


def test_unreadable_price_sources_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assembly = str(_assembly(tmp_path / "a"))
    missing = str(tmp_path / "nope.json")
    err = _usage_error(
        [assembly, "--region", REGION, "--offers", str(tmp_path / "a"), "--prices", missing], capsys
    )
    assert "no offer file" in err
    assert "needs --region" in _usage_error([assembly, "--offers", str(tmp_path)], capsys)
    (tmp_path / "o").mkdir()
    offer = synthetic_offer([synthetic_item(cost.rates.SQS_STANDARD, 4e-7)], "AWSQueueService")
    (tmp_path / "o" / "sqs.json").write_text(json.dumps(offer))
    err = _usage_error(
        [assembly, "--region", REGION, "--offers", str(tmp_path / "o"), "--prices", missing], capsys
    )
    assert f"--prices {missing}: no such file" in err
    (tmp_path / "cache.json").write_text("[]")
    err = _usage_error(
        [assembly, "--region", REGION, "--price-cache", str(tmp_path / "cache.json")], capsys
    )
    assert "not a price cache" in err


@pytest.mark.package
def test_no_traceback_from_a_fresh_interpreter(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "patterns.cost", str(tmp_path / "missing"), "--region", REGION],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("python -m patterns.cost: error:")
    assert "Traceback" not in result.stderr


@pytest.mark.package
def test_the_package_imports_no_boto3_until_it_reads_the_api() -> None:
    code = "import sys, patterns.cost; print(sorted(m for m in sys.modules if 'boto' in m))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def test_without_boto3_the_api_path_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(cost.PriceListError, match=r"pip install boto3 .*--offers DIR"):
        pricelist.pricing_client("us-east-1")


def test_offer_files_and_your_prices_price_the_stacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assembly = str(_assembly(tmp_path / "a"))
    (tmp_path / "o").mkdir()
    sqs = synthetic_item(cost.rates.SQS_STANDARD, 4e-7, region=REGION, number=7)
    offer = synthetic_offer([sqs], "AWSQueueService")
    (tmp_path / "o" / "sqs.json").write_text(json.dumps(offer))
    (tmp_path / "mine.json").write_text(json.dumps({"kms.key": 0.5}))
    argv = [
        assembly,
        "--region",
        REGION,
        "--offers",
        str(tmp_path / "o"),
        "--prices",
        str(tmp_path / "mine.json"),
    ]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    assert "Fixed per month: $0.50" in out
    assert "Per million messages: $1.20 ($0.0000012 per message)" in out
    assert f"kms.key: your price file {tmp_path / 'mine.json'}: $0.5 per Keys" in out
    assert "SKU SYNTH00000000007" in out
    assert f"offer files in {tmp_path / 'o'}" in out
    assert (
        "(no price: no awskms product in eu-west-1 matches usagetype ending in 'KMS-Requests')"
        in out
    )
    assert "3,000,000 Requests x $0.0000004 = $1.20" in out
    code, markdown, _ = _run([*argv, "--format", "markdown"], capsys)
    assert code == 0
    assert (
        "| `Queue` standard SQS requests | 3,000,000 | Requests | $0.0000004 [2] | $1.20 |"
        in markdown
    )
    assert "($0.0000012 per message)" in markdown
    assert "- [2] `sqs.standard`: SKU SYNTH00000000007, rate code SYNTH00000000007." in markdown


def test_keys_lists_the_rate_keys_of_the_stacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run([str(_assembly(tmp_path)), "--keys"], capsys)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "kms.key",
        "kms.request",
        "sqs.standard",
    ]


def test_without_a_region_only_quantities_are_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run([str(_assembly(tmp_path))], capsys)
    assert code == 0
    assert "$" not in out
    assert "No prices applied: add --region REGION" in out
    assert "AWS::IAM::Role (1): an IAM role: IAM has no charge" in out


# --------------------------------------------------------------------------- priced, stubbed


def _stub_every_rate(stub: Stubber, specs: list[cost.RateSpec]) -> dict[str, dict[str, Any]]:
    items = {}
    for number, spec in enumerate(specs, start=1):
        item = synthetic_item(spec, 0.001 * number, region=REGION, number=number)
        items[spec.key] = item
        stub.add_response(
            "get_products",
            {"FormatVersion": "aws_v1", "PriceList": [json.dumps(item)]},
            {
                "ServiceCode": spec.service,
                "Filters": spec.filters(REGION),
                "FormatVersion": "aws_v1",
            },
        )
    return items


def test_a_stubbed_price_list_prices_every_stack_and_every_number_traces_to_a_rate(
    examples_app: SynthesizedApp,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    costs = cost.estimate(examples_app.outdir)
    specs = list({s.key: s for c in costs for s in c.specs()}.values())
    client = pricing_client()
    cache = tmp_path / "prices.json"
    monkeypatch.setattr(pricelist, "pricing_client", lambda _: client)
    with Stubber(client) as stub:
        items = _stub_every_rate(stub, specs)
        code, out, _ = _run(
            [str(examples_app.outdir), "--region", REGION, "--price-cache", str(cache)], capsys
        )
        stub.assert_no_pending_responses()
    assert code == 0
    assert out.count("Fixed per month: $") == len(costs)
    assert out.count("Per million messages: $") == len(costs)
    assert " per message)" in out
    assert out.count("Monthly total at 1,000,000 messages: $") == len(costs)
    rate_lines = dict(re.findall(r"^  (\[\d+\]) (.*)$", out, re.MULTILINE))
    for line in out.splitlines():
        if " = $" in line:
            (ref,) = re.findall(r"\[\d+\]", line)
            assert ref in rate_lines, line
    for ref, text in rate_lines.items():
        key = text.split(":", 1)[0]
        item = items[key]
        (term,) = item["terms"]["OnDemand"].values()
        (dimension,) = term["priceDimensions"].values()
        assert f"SKU {item['product']['sku']}" in text, ref
        assert f"rate code {dimension['rateCode']}" in text, ref
        assert f'"{dimension["description"]}"' in text, ref
        assert "published 2026-10-01T00:00:00Z" in text, ref

    def offline(_: str) -> Any:
        raise AssertionError("the second run asked the API")

    monkeypatch.setattr(pricelist, "pricing_client", offline)
    code, again, _ = _run(
        [str(examples_app.outdir), "--region", REGION, "--price-cache", str(cache)], capsys
    )
    assert code == 0
    assert re.sub(r"read \S+\)", "", again) == re.sub(r"read \S+\)", "", out)


def test_a_stubbed_total_is_the_sum_of_its_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assembly = _assembly(tmp_path / "a")
    (stack,) = cost.estimate(assembly)
    client = pricing_client()
    monkeypatch.setattr(pricelist, "pricing_client", lambda _: client)
    with Stubber(client) as stub:
        _stub_every_rate(stub, stack.specs())  # kms.key $0.001, kms.request $0.002, sqs $0.003
        code, out, _ = _run(
            [
                str(assembly),
                "--region",
                REGION,
                "--format",
                "json",
                "--messages-per-month",
                "2000000",
            ],
            capsys,
        )
    assert code == 0
    (priced,) = json.loads(out)["stacks"]
    assert priced["fixed_usd_per_month"] == pytest.approx(0.001)
    assert priced["usd_per_million_messages"] == pytest.approx(3e6 * 0.003)
    assert priced["usd_per_message"] == pytest.approx(3 * 0.003)
    assert priced["monthly_usd"] == pytest.approx(0.001 + 2 * 3e6 * 0.003)
    assert set(json.loads(out)["rates"]) == {"kms.key", "kms.request", "sqs.standard"}
    (requests,) = [line for line in priced["lines"] if line["rate_key"] == "kms.request"]
    assert (requests["basis"], requests["usd"]) == ("by volume", None)
