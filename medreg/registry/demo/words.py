"""Word lists for synthetic names and addresses. Plain data: no logic, no imports."""

# Common Chinese surnames, the most frequent repeated so that they come up as often as in life.
SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙史陶"
)

# Characters used in given names (one or two of them make a name).
GIVEN_NAME_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌辉鹏飞宇浩凯健俊峰波红玲晶燕萍"
    "志新海林春梅雪琳慧佳欣悦晨阳东亮婷颖琦瑶睿哲卫兵荣宏德永庆立清"
)

# Two of these make a company's brand word (康恩, 华东, 瑞泰 ...).
BRAND_CHARACTERS = "康恩华瑞泰恒惠民正仁新天海德信元福安健和益寿春博英特普济贝美达远嘉诚润宁禾源盛康"

# Streets that exist, under these names, in most Chinese cities.
STREETS = (
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "文化路",
    "新华路",
    "和平路",
    "延安路",
    "学院路",
    "环城东路",
    "环城西路",
    "体育场路",
    "工业大道",
    "科技大道",
    "滨江大道",
    "迎宾大道",
    "江南大道",
    "创业路",
    "兴业路",
    "振兴路",
    "健康路",
    "园区路",
    "开发区大道",
    "文三路",
    "东海路",
)

# Name endings of drug holders and manufacturers, wholesalers, device and cosmetic firms.
DRUG_MAKER_WORDS = ("药业", "制药", "医药", "生物制药", "生物科技", "药业集团")
WHOLESALER_WORDS = ("医药", "医药有限责任", "药业", "医药物流", "医药贸易")
DEVICE_MAKER_WORDS = ("医疗器械", "医疗科技", "医疗设备", "生物医学工程", "卫生材料")
DEVICE_DISTRIBUTOR_WORDS = ("医疗器械", "医疗用品", "医疗器械贸易", "康复器材")
COSMETIC_MAKER_WORDS = ("化妆品", "日化", "生物科技", "美容用品")
LEGAL_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司")

# Retail pharmacies: name patterns filled with a place and a brand.
PHARMACY_PATTERNS = (
    "{place}{brand}大药房有限公司",
    "{place}{brand}大药房有限公司",
    "{place}{brand}药店有限公司",
    "{place}{brand}堂药店",
    "{place}{brand}医药连锁有限公司{branch}店",
    "{place}{brand}大药房连锁有限公司{branch}店",
)

# Medical institutions: public ones (credit code prefix 12) and private ones (prefix 52).
PUBLIC_HOSPITAL_PATTERNS = (
    "{place}第一人民医院",
    "{place}第二人民医院",
    "{place}第三人民医院",
    "{place}人民医院",
    "{place}中医院",
    "{place}妇幼保健院",
    "{place}中西医结合医院",
    "{place}{street}社区卫生服务中心",
)
PRIVATE_HOSPITAL_PATTERNS = (
    "{place}{brand}医院",
    "{place}{brand}口腔医院",
    "{place}{brand}眼科医院",
    "{place}{brand}门诊部",
    "{place}{brand}康复医院",
)

# Reasons recorded on licence status changes.
SUSPENSION_REASONS = (
    "飞行检查发现严重缺陷，责令暂停经营",
    "监督抽检不合格，暂停生产整改",
    "未按规定实施药品追溯，暂停经营",
)
REVOCATION_REASONS = ("严重违法行为，依法吊销许可证", "整改期满仍不符合条件，依法撤销许可")
REINSTATEMENT_REASON = "整改完成，经复查恢复"
