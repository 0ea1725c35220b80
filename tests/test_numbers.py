from rag.text.numbers import number_word_values, roman_numeral_values


def test_cardinals_ordinals_and_compounds():
    assert "5" in number_word_values("تم افتتاحه في خمس مراحل")
    assert "19" in number_word_values("في القرن التاسع عشر")
    assert "63" in number_word_values("قبل عيد ميلاده الثالث والستين")
    assert "20" in number_word_values("أكبر منه بعشرين عامًا")


def test_multipliers_and_decades():
    assert "300000" in number_word_values("يعيش هناك أكثر من 300 ألف نسمة")
    assert "5000" in number_word_values("بعد اتخاذ أكثر من 5 آلاف إجراء")
    assert "5000" in number_word_values("خمسة آلاف جندي")
    assert "1930" in number_word_values("غادروا في ثلاثينيات القرن العشرين")
    assert "1980" in number_word_values("خلال دراستهم في الثمانينيات")


def test_words_that_only_look_like_numbers_are_not_read():
    assert number_word_values("اجتمعوا يوم الثلاثاء في مصر") == set()
    assert number_word_values("قال المتحدث إن المحادثات مستمرة") == set()


def test_roman_numerals_after_names_are_numbers():
    assert roman_numeral_values("Super Bowl XXXIII, World War II and Louis XIV") == {"33", "2", "14"}
    # One letter is a pronoun or an initial; DC, MD and CD are places and degrees.
    assert roman_numeral_values("I met him in Washington DC after his MD") == set()
