"""Product catalogues the generator draws from: real generic names, dosage forms and strengths,
device kinds with their class and catalogue category, cosmetic kinds. Plain data."""

from typing import NamedTuple


class DrugKind(NamedTuple):
    """A generic drug as it appears in approvals: category H chemical, Z TCM, S biological."""

    generic_name: str
    category: str
    dosage_form: str
    strengths: tuple[str, ...]
    prescription_class: str
    special_control: str
    unit: str
    units_per_pack: tuple[int, ...]
    weight: float = 1.0


_R, _A, _B = "rx", "otc_a", "otc_b"
DRUGS: tuple[DrugKind, ...] = (
    DrugKind("阿莫西林胶囊", "H", "胶囊剂", ("0.25g", "0.5g"), _R, "", "粒", (24, 36, 48), 4),
    DrugKind("头孢克肟分散片", "H", "片剂", ("50mg", "100mg"), _R, "", "片", (6, 12), 2),
    DrugKind("头孢呋辛酯片", "H", "片剂", ("0.125g", "0.25g"), _R, "", "片", (12, 24), 2),
    DrugKind("左氧氟沙星片", "H", "片剂", ("0.1g", "0.5g"), _R, "", "片", (4, 10), 2),
    DrugKind("阿奇霉素片", "H", "片剂", ("0.25g",), _R, "", "片", (6, 12), 2),
    DrugKind("注射用头孢曲松钠", "H", "注射剂", ("0.5g", "1.0g"), _R, "", "瓶", (1, 10), 2),
    DrugKind("布洛芬缓释胶囊", "H", "胶囊剂", ("0.3g",), _B, "", "粒", (20, 24), 4),
    DrugKind("布洛芬片", "H", "片剂", ("0.1g", "0.2g"), _B, "", "片", (20, 24), 2),
    DrugKind("对乙酰氨基酚片", "H", "片剂", ("0.5g",), _A, "", "片", (10, 20), 3),
    DrugKind("盐酸二甲双胍片", "H", "片剂", ("0.25g", "0.5g"), _R, "", "片", (20, 48), 4),
    DrugKind("盐酸二甲双胍缓释片", "H", "片剂", ("0.5g",), _R, "", "片", (30, 60), 2),
    DrugKind("格列美脲片", "H", "片剂", ("1mg", "2mg"), _R, "", "片", (15, 30), 1),
    DrugKind("苯磺酸氨氯地平片", "H", "片剂", ("5mg",), _R, "", "片", (7, 14, 28), 4),
    DrugKind("硝苯地平控释片", "H", "片剂", ("30mg",), _R, "", "片", (7, 12), 2),
    DrugKind("缬沙坦胶囊", "H", "胶囊剂", ("80mg",), _R, "", "粒", (7, 14, 28), 2),
    DrugKind("厄贝沙坦片", "H", "片剂", ("0.15g",), _R, "", "片", (7, 14), 2),
    DrugKind("阿托伐他汀钙片", "H", "片剂", ("10mg", "20mg"), _R, "", "片", (7, 14, 28), 3),
    DrugKind("瑞舒伐他汀钙片", "H", "片剂", ("5mg", "10mg"), _R, "", "片", (7, 28), 2),
    DrugKind("阿司匹林肠溶片", "H", "片剂", ("25mg", "100mg"), _R, "", "片", (30, 100), 3),
    DrugKind("硫酸氢氯吡格雷片", "H", "片剂", ("25mg", "75mg"), _R, "", "片", (7, 14), 2),
    DrugKind("奥美拉唑肠溶胶囊", "H", "胶囊剂", ("20mg",), _R, "", "粒", (14, 28), 3),
    DrugKind("雷贝拉唑钠肠溶片", "H", "片剂", ("10mg", "20mg"), _R, "", "片", (7, 14), 1),
    DrugKind("蒙脱石散", "H", "散剂", ("3g",), _A, "", "袋", (10, 12), 2),
    DrugKind("氯雷他定片", "H", "片剂", ("10mg",), _B, "", "片", (6, 12), 2),
    DrugKind("孟鲁司特钠片", "H", "片剂", ("10mg",), _R, "", "片", (5, 10), 1),
    DrugKind("盐酸氨溴索口服溶液", "H", "口服溶液剂", ("100ml:0.6g",), _B, "", "瓶", (1,), 2),
    DrugKind("维生素C片", "H", "片剂", ("0.1g",), _B, "", "片", (100,), 2),
    DrugKind("复方甘草片", "H", "片剂", ("复方",), _A, "", "片", (100,), 1),
    DrugKind("葡萄糖注射液", "H", "注射剂", ("250ml:12.5g", "500ml:25g"), _R, "", "袋", (1,), 3),
    DrugKind("氯化钠注射液", "H", "注射剂", ("100ml:0.9g", "250ml:2.25g", "500ml:4.5g"), _R, "", "瓶", (1,), 3),
    DrugKind("胰岛素注射液", "S", "注射剂", ("10ml:400单位",), _R, "", "支", (1,), 1),
    DrugKind("重组人胰岛素注射液", "S", "注射剂", ("3ml:300单位",), _R, "", "支", (1,), 1),
    DrugKind("连花清瘟胶囊", "Z", "胶囊剂", ("0.35g",), _R, "", "粒", (24, 36), 2),
    DrugKind("板蓝根颗粒", "Z", "颗粒剂", ("10g",), _B, "", "袋", (10, 20), 3),
    DrugKind("六味地黄丸", "Z", "丸剂", ("每8丸相当于原药材3g",), _A, "", "丸", (200,), 2),
    DrugKind("复方丹参滴丸", "Z", "滴丸剂", ("27mg",), _R, "", "丸", (180,), 2),
    DrugKind("感冒灵颗粒", "Z", "颗粒剂", ("10g",), _A, "", "袋", (9, 12), 3),
    DrugKind("藿香正气水", "Z", "酊剂", ("10ml",), _A, "", "支", (10,), 2),
    DrugKind("银黄颗粒", "Z", "颗粒剂", ("4g",), _B, "", "袋", (10,), 1),
    DrugKind("丹参注射液", "Z", "注射剂", ("10ml",), _R, "", "支", (5, 10), 1),
    DrugKind("云南白药气雾剂", "Z", "气雾剂", ("85g",), _A, "", "瓶", (1,), 1),
    DrugKind("盐酸吗啡注射液", "H", "注射剂", ("1ml:10mg",), _R, "narcotic", "支", (10,), 0.3),
    DrugKind("盐酸吗啡缓释片", "H", "片剂", ("30mg",), _R, "narcotic", "片", (10,), 0.2),
    DrugKind("盐酸哌替啶注射液", "H", "注射剂", ("2ml:100mg",), _R, "narcotic", "支", (10,), 0.2),
    DrugKind("枸橼酸芬太尼注射液", "H", "注射剂", ("2ml:0.1mg",), _R, "narcotic", "支", (10,), 0.2),
    DrugKind("磷酸可待因片", "H", "片剂", ("30mg",), _R, "narcotic", "片", (12,), 0.2),
    DrugKind("盐酸氯胺酮注射液", "H", "注射剂", ("2ml:0.1g",), _R, "psychotropic_1", "支", (5,), 0.2),
    DrugKind("地西泮片", "H", "片剂", ("2.5mg", "5mg"), _R, "psychotropic_2", "片", (20, 100), 0.4),
    DrugKind("艾司唑仑片", "H", "片剂", ("1mg",), _R, "psychotropic_2", "片", (20,), 0.4),
    DrugKind("阿普唑仑片", "H", "片剂", ("0.4mg",), _R, "psychotropic_2", "片", (20,), 0.3),
    DrugKind("咪达唑仑注射液", "H", "注射剂", ("2ml:10mg",), _R, "psychotropic_2", "支", (10,), 0.2),
    DrugKind("注射用A型肉毒毒素", "S", "注射剂", ("100单位",), _R, "toxic", "瓶", (1,), 0.1),
    DrugKind("碘[131I]化钠口服溶液", "H", "口服溶液剂", ("185MBq",), _R, "radioactive", "瓶", (1,), 0.1),
    DrugKind("盐酸麻黄碱片", "H", "片剂", ("25mg",), _R, "precursor", "片", (100,), 0.1),
    DrugKind("乙型肝炎疫苗(酿酒酵母)", "S", "注射剂", ("0.5ml:10μg", "1.0ml:20μg"), _R, "vaccine", "支", (1,), 0.6),
    DrugKind("流感病毒裂解疫苗", "S", "注射剂", ("0.5ml",), _R, "vaccine", "支", (1,), 0.5),
    DrugKind("人用狂犬病疫苗(Vero细胞)", "S", "冻干粉针剂", ("0.5ml",), _R, "vaccine", "瓶", (1,), 0.4),
    DrugKind("13价肺炎球菌多糖结合疫苗", "S", "注射剂", ("0.5ml",), _R, "vaccine", "支", (1,), 0.2),
    DrugKind("水痘减毒活疫苗", "S", "冻干粉针剂", ("0.5ml",), _R, "vaccine", "瓶", (1,), 0.3),
    DrugKind("人血白蛋白", "S", "注射剂", ("10g(20%,50ml)", "5g(10%,50ml)"), _R, "blood_product", "瓶", (1,), 0.5),
    DrugKind("静注人免疫球蛋白(pH4)", "S", "注射剂", ("2.5g(5%,50ml)",), _R, "blood_product", "瓶", (1,), 0.3),
    DrugKind("人凝血因子Ⅷ", "S", "冻干粉针剂", ("200IU",), _R, "blood_product", "瓶", (1,), 0.2),
)

# Drugs the fixed demo holder (杭州康恩医药股份有限公司) holds, by generic name: one of them a vaccine.
DEMO_HOLDER_DRUGS = (
    "阿莫西林胶囊",
    "布洛芬缓释胶囊",
    "盐酸二甲双胍片",
    "乙型肝炎疫苗(酿酒酵母)",
    "人血白蛋白",
    "地西泮片",
)


class DeviceKind(NamedTuple):
    """A kind of medical device: class and the two-digit category of the 2017 classification catalogue."""

    name: str
    device_class: str
    category: str
    models: tuple[str, ...]


DEVICES: tuple[DeviceKind, ...] = (
    DeviceKind("医用外科口罩", "II", "14", ("平面型 17.5cm×9.5cm", "耳挂式 成人型")),
    DeviceKind("一次性使用医用口罩", "II", "14", ("平面型 17.5cm×9.5cm",)),
    DeviceKind("医用电子体温计", "II", "07", ("MT-101", "MT-202 软头")),
    DeviceKind("电子血压计", "II", "07", ("上臂式 BP-310", "腕式 BP-120")),
    DeviceKind("血糖仪", "II", "22", ("GM-500",)),
    DeviceKind("一次性使用无菌注射器 带针", "III", "14", ("1ml", "5ml", "10ml")),
    DeviceKind("一次性使用输液器 带针", "III", "14", ("0.7mm",)),
    DeviceKind("一次性使用静脉留置针", "III", "14", ("22G", "24G")),
    DeviceKind("冠状动脉药物洗脱支架系统", "III", "13", ("2.5mm×18mm", "3.0mm×24mm")),
    DeviceKind("人工晶状体", "III", "16", ("+20.0D",)),
    DeviceKind("可吸收性外科缝线", "III", "02", ("3-0", "4-0")),
    DeviceKind("医用超声耦合剂", "II", "06", ("250ml",)),
    DeviceKind("医用电子内窥镜", "II", "06", ("EG-290",)),
    DeviceKind("医用制氧机", "II", "08", ("3L", "5L")),
    DeviceKind("新型冠状病毒抗原检测试剂盒(胶体金法)", "III", "22", ("1人份/盒", "20人份/盒")),
    DeviceKind("医用棉签", "I", "14", ("10cm 50支/包",)),
    DeviceKind("医用纱布块", "I", "14", ("5cm×5cm-8层",)),
    DeviceKind("医用检查手套", "I", "14", ("M", "L")),
    DeviceKind("医用冷敷贴", "I", "09", ("10cm×12cm",)),
    DeviceKind("手动轮椅车", "I", "19", ("H005",)),
    DeviceKind("医用隔离衣", "I", "14", ("L", "XL")),
    DeviceKind("创可贴", "I", "14", ("72mm×19mm",)),
)


class CosmeticKind(NamedTuple):
    """A kind of cosmetic: special ones (sunscreen, hair dye ...) are registered, others filed."""

    name: str
    category: str


COSMETICS: tuple[CosmeticKind, ...] = (
    CosmeticKind("保湿面霜", "ordinary"),
    CosmeticKind("氨基酸洁面乳", "ordinary"),
    CosmeticKind("补水爽肤水", "ordinary"),
    CosmeticKind("玻尿酸精华液", "ordinary"),
    CosmeticKind("修护面膜", "ordinary"),
    CosmeticKind("控油洗发水", "ordinary"),
    CosmeticKind("滋润沐浴露", "ordinary"),
    CosmeticKind("润肤身体乳", "ordinary"),
    CosmeticKind("润唇膏", "ordinary"),
    CosmeticKind("清透粉底液", "ordinary"),
    CosmeticKind("护手霜", "ordinary"),
    CosmeticKind("清爽防晒霜 SPF50+ PA+++", "special"),
    CosmeticKind("植物染发剂", "special"),
    CosmeticKind("卷发烫发剂", "special"),
    CosmeticKind("美白祛斑精华", "special"),
    CosmeticKind("防脱育发洗发液", "special"),
)
