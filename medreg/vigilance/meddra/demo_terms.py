"""An OPEN demo terminology of common reaction terms: invented, NOT MedDRA, free to ship.

The platform loads it when no licensed MedDRA release is present, so coding and suggestions work
in demos and tests. Two levels: groups (stored as SOC-level terms) and reaction terms (PT level);
each term's Chinese name, English name and synonyms become LLT-level coding entries. Codes start
with "DEMO-" so they can never be mistaken for MedDRA codes.
"""

from __future__ import annotations

from medreg.vigilance.meddra.model import Level, MeddraRelease, Term

DEMO_VERSION = "DEMO-1.0"
DEMO_LANGUAGE = "zh+en"

# group code, Chinese name, English name
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("DEMO-G01", "皮肤及皮下组织反应", "Skin reactions"),
    ("DEMO-G02", "胃肠道反应", "Gastrointestinal reactions"),
    ("DEMO-G03", "神经系统反应", "Nervous system reactions"),
    ("DEMO-G04", "全身性反应", "General reactions"),
    ("DEMO-G05", "呼吸系统反应", "Respiratory reactions"),
    ("DEMO-G06", "心血管系统反应", "Cardiovascular reactions"),
    ("DEMO-G07", "免疫系统反应", "Immune reactions"),
    ("DEMO-G08", "肝胆反应", "Hepatobiliary reactions"),
    ("DEMO-G09", "血液系统反应", "Blood reactions"),
    ("DEMO-G10", "用药部位反应", "Administration site reactions"),
)
# term code, group code, Chinese name, English name, synonyms (Chinese or English)
TERMS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("DEMO-T001", "DEMO-G01", "皮疹", "Rash", ("skin rash", "出疹", "红疹")),
    ("DEMO-T002", "DEMO-G01", "瘙痒", "Pruritus", ("itching", "itchy skin", "皮肤瘙痒")),
    ("DEMO-T003", "DEMO-G01", "荨麻疹", "Urticaria", ("hives", "风团")),
    ("DEMO-T004", "DEMO-G01", "瘙痒性皮疹", "Pruritic rash", ("itchy rash",)),
    ("DEMO-T005", "DEMO-G01", "红斑", "Erythema", ("skin redness", "皮肤发红")),
    ("DEMO-T006", "DEMO-G01", "多汗", "Hyperhidrosis", ("sweating", "出汗")),
    ("DEMO-T007", "DEMO-G01", "脱发", "Alopecia", ("hair loss",)),
    ("DEMO-T008", "DEMO-G02", "恶心", "Nausea", ("feeling sick", "想吐")),
    ("DEMO-T009", "DEMO-G02", "呕吐", "Vomiting", ("emesis",)),
    ("DEMO-T010", "DEMO-G02", "腹泻", "Diarrhoea", ("diarrhea", "拉肚子")),
    ("DEMO-T011", "DEMO-G02", "腹痛", "Abdominal pain", ("stomach ache", "肚子痛")),
    ("DEMO-T012", "DEMO-G02", "便秘", "Constipation", ()),
    ("DEMO-T013", "DEMO-G02", "消化不良", "Dyspepsia", ("indigestion",)),
    ("DEMO-T014", "DEMO-G02", "口干", "Dry mouth", ()),
    ("DEMO-T015", "DEMO-G02", "食欲减退", "Decreased appetite", ("loss of appetite", "纳差")),
    ("DEMO-T016", "DEMO-G03", "头痛", "Headache", ("head pain", "头疼")),
    ("DEMO-T017", "DEMO-G03", "头晕", "Dizziness", ("dizzy", "眩晕感")),
    ("DEMO-T018", "DEMO-G03", "嗜睡", "Somnolence", ("drowsiness",)),
    ("DEMO-T019", "DEMO-G03", "失眠", "Insomnia", ("sleeplessness",)),
    ("DEMO-T020", "DEMO-G03", "震颤", "Tremor", ("shaking",)),
    ("DEMO-T021", "DEMO-G03", "惊厥", "Convulsion", ("seizure", "抽搐")),
    ("DEMO-T022", "DEMO-G03", "感觉减退", "Hypoaesthesia", ("numbness", "麻木")),
    ("DEMO-T023", "DEMO-G04", "发热", "Pyrexia", ("fever", "发烧")),
    ("DEMO-T024", "DEMO-G04", "寒战", "Chills", ("shivering",)),
    ("DEMO-T025", "DEMO-G04", "乏力", "Fatigue", ("tiredness", "疲乏")),
    ("DEMO-T026", "DEMO-G04", "胸部不适", "Chest discomfort", ("胸闷",)),
    ("DEMO-T027", "DEMO-G04", "水肿", "Oedema", ("edema", "swelling", "浮肿")),
    ("DEMO-T028", "DEMO-G04", "疼痛", "Pain", ()),
    ("DEMO-T029", "DEMO-G05", "呼吸困难", "Dyspnoea", ("dyspnea", "shortness of breath", "气短")),
    ("DEMO-T030", "DEMO-G05", "咳嗽", "Cough", ()),
    ("DEMO-T031", "DEMO-G05", "支气管痉挛", "Bronchospasm", ()),
    ("DEMO-T032", "DEMO-G05", "喉头水肿", "Laryngeal oedema", ("laryngeal edema",)),
    ("DEMO-T033", "DEMO-G05", "鼻塞", "Nasal congestion", ("stuffy nose",)),
    ("DEMO-T034", "DEMO-G06", "心悸", "Palpitations", ("heart pounding",)),
    ("DEMO-T035", "DEMO-G06", "心动过速", "Tachycardia", ("fast heart rate", "心率加快")),
    ("DEMO-T036", "DEMO-G06", "低血压", "Hypotension", ("low blood pressure", "血压下降")),
    ("DEMO-T037", "DEMO-G06", "高血压", "Hypertension", ("high blood pressure", "血压升高")),
    ("DEMO-T038", "DEMO-G06", "潮红", "Flushing", ("面色潮红",)),
    ("DEMO-T039", "DEMO-G06", "心动过缓", "Bradycardia", ("slow heart rate",)),
    ("DEMO-T040", "DEMO-G07", "过敏反应", "Hypersensitivity", ("allergic reaction", "allergy", "变态反应")),
    ("DEMO-T041", "DEMO-G07", "过敏性休克", "Anaphylactic shock", ("anaphylaxis",)),
    ("DEMO-T042", "DEMO-G07", "血管性水肿", "Angioedema", ("angioneurotic oedema",)),
    ("DEMO-T043", "DEMO-G07", "类过敏样反应", "Anaphylactoid reaction", ()),
    ("DEMO-T044", "DEMO-G08", "肝功能异常", "Hepatic function abnormal", ("abnormal liver function",)),
    ("DEMO-T045", "DEMO-G08", "黄疸", "Jaundice", ("yellow skin",)),
    ("DEMO-T046", "DEMO-G08", "转氨酶升高", "Transaminases increased", ("elevated liver enzymes",)),
    ("DEMO-T047", "DEMO-G08", "药物性肝损伤", "Drug-induced liver injury", ("DILI",)),
    ("DEMO-T048", "DEMO-G09", "白细胞减少", "Leukopenia", ("low white cell count",)),
    ("DEMO-T049", "DEMO-G09", "血小板减少", "Thrombocytopenia", ("low platelets",)),
    ("DEMO-T050", "DEMO-G09", "贫血", "Anaemia", ("anemia",)),
    ("DEMO-T051", "DEMO-G09", "中性粒细胞减少", "Neutropenia", ()),
    ("DEMO-T052", "DEMO-G10", "注射部位疼痛", "Injection site pain", ()),
    ("DEMO-T053", "DEMO-G10", "注射部位红肿", "Injection site swelling", ("injection site redness",)),
    ("DEMO-T054", "DEMO-G10", "静脉炎", "Phlebitis", ()),
    ("DEMO-T055", "DEMO-G10", "输液反应", "Infusion related reaction", ("infusion reaction",)),
    ("DEMO-T056", "DEMO-G03", "味觉障碍", "Dysgeusia", ("taste disturbance", "口苦")),
    ("DEMO-T057", "DEMO-G04", "不适", "Malaise", ("feeling unwell",)),
    ("DEMO-T058", "DEMO-G02", "腹胀", "Abdominal distension", ("bloating",)),
    ("DEMO-T059", "DEMO-G01", "皮肤干燥", "Dry skin", ()),
    ("DEMO-T060", "DEMO-G05", "咽喉刺激", "Throat irritation", ("sore throat", "咽部不适")),
)


def _coding_entries(code: str, chinese: str, english: str, synonyms: tuple[str, ...]) -> list[Term]:
    """LLT-level entries of one term: its Chinese name, English name and synonyms."""
    names = (chinese, english, *synonyms)
    return [Term(f"{code}-{n}", name, Level.LLT, (code,)) for n, name in enumerate(names, 1)]


def demo_release() -> MeddraRelease:
    """The demo terminology in the same shape as a loaded MedDRA release (groups as SOCs, terms as PTs)."""
    groups = {code: Term(code, f"{chinese} ({english})", Level.SOC) for code, chinese, english in GROUPS}
    terms = {
        code: Term(code, f"{chinese} ({english})", Level.PT, (group,), primary_soc_code=group)
        for code, group, chinese, english, _ in TERMS
    }
    entries = [
        entry
        for code, _, chinese, english, synonyms in TERMS
        for entry in _coding_entries(code, chinese, english, synonyms)
    ]
    levels = {Level.SOC: groups, Level.HLGT: {}, Level.HLT: {}, Level.PT: terms, Level.LLT: {}}
    levels[Level.LLT] = {entry.code: entry for entry in entries}
    return MeddraRelease(DEMO_VERSION, DEMO_LANGUAGE, levels)
