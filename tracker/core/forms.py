"""Form fields whose parse errors speak Vietnamese (WTForms' own messages are English)."""

from wtforms import DateField, IntegerField


class VnIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Vui lòng nhập một số nguyên.") from error


class VnDateField(DateField):
    """A date typed as dd/mm/yyyy or sent by a date input as yyyy-mm-dd."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Ngày không hợp lệ (nhập theo dạng ngày/tháng/năm).") from error

    def _value(self):
        # Shown as dd/mm/yyyy in a text input (a browser's date widget speaks the browser's language)
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def __call__(self, **kwargs):
        kwargs.setdefault("type", "text")
        kwargs.setdefault("inputmode", "numeric")
        kwargs.setdefault("placeholder", "ngày/tháng/năm")
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(**kwargs)
