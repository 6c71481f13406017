"""Small reference tables the mention rules need (data, not logic).

Sources: the given-name tables are common English/European given names with an unambiguous conventional
gender (hand-listed; used only to choose between 他/她, he/she when the lexicon has no gender). Title words
are the usual news titles that separate a country or body from a person's name (美國總統特朗普, "Secretary of
State Marco Rubio").
"""

FEMALE_GIVEN = frozenset("""
Francesca Maria Anna Elizabeth Mary Linda Susan Karen Nancy Lisa Sarah Jessica Emily Hillary Kamala Nikki Ursula
Angela Theresa Liz Kristi Tulsi Pam Pamela Karoline Kristalina Christine Antonia Michelle Samantha Linda Marie Sophie
Julia Catherine Kathleen Hannah Helen Jacinda Giorgia Annalena Kaja Roberta Amina Ngozi Mia Claudia Ellen
Janet Gina Marise Penny Melanie Suella Yvette Rachel Rebecca Laura Emma Olivia Isabel Ana Elena Natalia Irina Olga
Yingluck Sanae Yoko Maryam Shirin Malala Greta Judith Victoria Catalina Dilma Cristina Michele Nadia Nikki
Condoleezza Madeleine Madeline Susana Kristina Eva Ivana Marine Valerie Valérie Margrethe Mette Sanna Magdalena
Jacqueline
""".split())

MALE_GIVEN = frozenset("""
Donald Joe Joseph Marco Daniel Rob Robert John James Michael William David Richard Thomas Charles Christopher Mark
Paul Steven Andrew Kenneth George Edward Brian Ronald Anthony Kevin Jason Matthew Gary Timothy Jose Larry Jeffrey
Frank Scott Eric Stephen Jacob Raymond Patrick Jack Dennis Jerry Tyler Aaron Henry Douglas Peter Adam Nathan Walter
Antonio Antony António Emmanuel Vladimir Volodymyr Xi Benjamin Keir Olaf Friedrich Justin Narendra Recep Mohammed
Muhammad Ali Ahmed Sergei Sergey Dmitry Mike JD Pete Elon Marco Mike Howard Scott Lee Kim Yoon Fumio Shigeru
Luiz Javier Gustavo Nicolas Nicolás Mahmoud Yahya Hassan Abbas Tedros Filippo Volker Josep Jens Mark
Rishi Boris Tony Gordon Nigel Barack Bill Hunter Chuck Mitch Kevin Ted Lindsey Rand Bernie Marcelo Alexander
""".split())

# Titles between a body or state and a person (simplified characters; matching runs on normalised text).
ZH_TITLES = (
    "总统", "副总统", "前总统", "新任总统", "当选总统", "国务卿", "副国务卿", "总理", "首相", "副总理", "外长", "外交部长",
    "国防部长", "财政部长", "商务部长", "部长", "大使", "常驻联合国代表", "驻联合国大使", "发言人", "特使", "特别代表",
    "特别报告员", "秘书长", "副秘书长", "总干事", "主席", "主任", "局长", "署长", "署理署长", "议长", "参议员", "众议员",
    "州长", "国王", "女王", "王储", "总督", "官员", "高级官员", "代表", "领导人", "负责人", "执行主任", "高级专员", "总裁",
    "前", "新任", "现任", "首席", "司令", "总司令",
)

EN_TITLES = (
    "President", "Vice President", "former President", "President-elect", "Secretary of State", "Secretary",
    "Prime Minister", "Foreign Minister", "Minister", "Ambassador", "Senator", "Sen.", "Rep.", "Representative",
    "Gov.", "Governor", "Chancellor", "spokesperson", "spokesman", "spokeswoman", "Spokesperson", "Director",
    "Director-General", "Director General", "Secretary-General", "Secretary General", "Special Rapporteur",
    "rapporteur", "envoy", "Envoy", "Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Chief", "chief", "head", "leader",
    "King", "Queen", "Premier", "Speaker", "Administrator", "Commissioner", "High Commissioner", "Chair", "Chairman",
    "Chairwoman", "official", "analyst", "director", "Executive Director", "General", "Gen.", "Pope",
)


def gender_of(given: str) -> str | None:
    if given in FEMALE_GIVEN:
        return "female"
    if given in MALE_GIVEN:
        return "male"
    return None
