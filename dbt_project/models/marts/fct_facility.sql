-- Facilities per assessment month, as the 设施设备台账 snapshot for M lists them.
select
    f.month,
    f.facility_no,
    f.estate_code,
    e.district_code,
    f.facility_type,
    f.building,
    f.commissioned_date,
    f.operating_status,
    f.last_maintained_date,
    f.register_as_of
from {{ ref('int_facilities_by_month') }} f
left join {{ ref('int_estates') }} e using (estate_code)
qualify row_number() over (partition by f.month, f.facility_no order by f._row_number desc) = 1
