"""CSV exports a spreadsheet opens safely, whichever page exports them."""

from __future__ import annotations

from cleftmission.core.exports import csv_response, spreadsheet_cell


def test_text_that_would_start_a_formula_is_quoted_and_numbers_and_phones_are_not() -> None:
    assert spreadsheet_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert spreadsheet_cell("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_cell("-2+cmd") == "'-2+cmd"
    assert spreadsheet_cell("+84 912 345 678") == "+84 912 345 678"
    assert spreadsheet_cell("-2") == "-2"
    assert spreadsheet_cell(-2) == -2
    assert spreadsheet_cell(None) == ""
    assert spreadsheet_cell("Nguyễn Văn An") == "Nguyễn Văn An"


def test_the_csv_opens_as_utf_8_in_excel_with_its_name() -> None:
    response = csv_response("x.csv", ["Tên"], [["=1+1"]])
    assert response.content.decode("utf-8").startswith("\ufeffTên\r\n'=1+1")
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
