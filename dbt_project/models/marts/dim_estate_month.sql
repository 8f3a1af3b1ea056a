-- One row per estate and assessment month: the estate as the register snapshot for M lists it, with
-- its type at M (老龄化 / 新建 / 老旧 / 一般, first that applies) and the inputs of that type.
select
    e.month,
    e.estate_code,
    e.estate_name,
    e.district_code,
    e.district_name,
    e.street_code,
    e.street_name,
    e.built_year,
    e.first_delivery_date,
    e.owners_committee_date,
    e.owners_committee_date <= m.month_last_day as has_owners_committee,
    p.estate_type,
    p.aged_60_plus_share,
    p.is_new,
    p.is_old,
    e.register_as_of
from {{ ref('int_estate_months') }} e
join {{ ref('int_months') }} m using (month)
left join {{ ref('int_estate_month_people') }} p using (month, estate_code)
