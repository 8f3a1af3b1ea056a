"""Chinese names of people and places, drawn vectorised from pools that a seeded Faker fills."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker
from faker.providers.person.zh_CN import Provider as PersonProvider

from . import fast

# Homophones (同音字) for spelling variants of the same person in another department's file.
HOMOPHONES = {
    "伟": "玮", "丽": "莉", "军": "君", "明": "铭", "华": "骅", "静": "婧", "芳": "方", "杰": "捷",
    "涛": "韬", "敏": "民", "艳": "燕", "霞": "侠", "平": "萍", "红": "虹", "英": "瑛", "文": "雯",
    "勇": "永", "秀": "修", "娟": "鹃", "玲": "凌", "强": "蔷", "磊": "垒", "洋": "阳", "超": "潮",
    "峰": "锋", "刚": "钢", "辉": "晖", "健": "建", "燕": "艳", "萍": "平", "兰": "岚", "梅": "玫",
}

DISTRICT_STEMS = list("江汉滨湖东西南北青云龙凤临安新华城阳桥山河白沙金石长清平和泰兴")
STREET_STEMS = [
    "解放", "中山", "建设", "人民", "和平", "友谊", "胜利", "新华", "长江", "汉江", "光明", "文化", "幸福", "红旗",
    "民主", "青年", "复兴", "前进", "团结", "东风", "工农", "花园", "学府", "滨湖", "晴川", "桃源", "柳湾", "梅岭",
]
ESTATE_STEMS = [
    "幸福", "和谐", "安康", "锦绣", "阳光", "康居", "惠民", "福泽", "同心", "民安", "长乐", "永安", "富康", "怡和",
    "祥和", "嘉和", "兴旺", "盛世", "宜居", "安泰", "瑞丰", "丰泽", "金桂", "玉兰", "紫荆", "海棠", "翠柏", "青松",
    "春晖", "秋实", "晨曦", "朝阳", "新城", "新港", "临江", "望湖", "南湖", "东湖", "西苑", "北辰", "汉阳", "江南",
    "桃园", "李园", "杏林", "梅园", "荷塘", "柳岸", "枫林", "竹苑", "兰亭", "芙蓉", "牡丹", "百合", "茉莉", "丁香",
]
ESTATE_SUFFIXES = ["家园", "花园", "新村", "小区", "苑", "新城", "雅苑", "佳园"]
PHASES = ["", "一期", "二期", "三期"]
CHINESE_DIGITS = "〇一二三四五六七八九"


class NamePools:
    """Pools of surnames and given names taken from a seeded Faker zh_CN, sampled with numpy."""

    def __init__(self, seed: int):
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        surnames = list(PersonProvider.last_names.keys())
        weights = np.array(list(PersonProvider.last_names.values()), dtype=float)
        self.surnames = np.array(surnames)
        self.surname_p = weights / weights.sum()
        self.given_male = np.array(sorted({fake.first_name_male() for _ in range(400)}))
        self.given_female = np.array(sorted({fake.first_name_female() for _ in range(400)}))

    def draw(self, rng: np.random.Generator, is_male: np.ndarray) -> pa.Array:
        """Names (Arrow text), drawn as positions in the pools."""
        n = len(is_male)
        surname = rng.choice(len(self.surnames), size=n, p=self.surname_p)
        male = rng.choice(len(self.given_male), size=n)
        female = rng.choice(len(self.given_female), size=n)
        second_male = rng.choice(len(self.given_male), size=n)
        second_female = rng.choice(len(self.given_female), size=n)
        pools = [pa.array(p.tolist(), fast.STR) for p in (self.given_male, self.given_female)]
        single = [np.char.str_len(p) == 1 for p in (self.given_male, self.given_female)]
        given = pc.if_else(pa.array(is_male), pools[0].take(pa.array(male)), pools[1].take(pa.array(female)))
        second = pc.if_else(pa.array(is_male), pools[0].take(pa.array(second_male)), pools[1].take(pa.array(second_female)))
        given_single = np.where(is_male, single[0][male], single[1][female])
        second_single = np.where(is_male, single[0][second_male], single[1][second_female])
        # About a third of people have a two-character given name built from two pool characters.
        two_chars = (rng.random(n) < 0.35) & given_single & second_single
        given = pc.if_else(pa.array(two_chars), fast.join(given, second), given)
        return fast.join(pa.array(self.surnames.tolist(), fast.STR).take(pa.array(surname)), given)


def homophone_variant(name: str) -> str | None:
    """The name with one character replaced by a homophone, or None if no character has one."""
    for i in range(len(name) - 1, 0, -1):
        if name[i] in HOMOPHONES:
            return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]
    return None


def chinese_number(n: int) -> str:
    """Integers below 100 the way addresses spell them: 3 → 三, 12 → 十二, 21 → 二十一."""
    if n >= 100:
        return str(n)  # nobody spells building 105 in characters
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + ("" if ones == 0 else CHINESE_DIGITS[ones])
