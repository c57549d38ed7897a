"""Form fields whose parse errors speak Vietnamese (WTForms' own messages are English)."""

from wtforms import DateField, IntegerField


class VnIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Vui lòng nhập một số nguyên.") from error


class VnDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Ngày không hợp lệ (nhập theo dạng ngày/tháng/năm).") from error
