-- 服务供给达标率 and the facility-based N indicators per estate and month, from the 周边公共服务配套 and
-- 设施设备台账 snapshots for M. Null when no 周边公共服务配套 snapshot exists on or before month end.
with svc as (
    select
        month,
        estate_code,
        bool_or(service_type = '小学' and walking_distance_m <= 1000) as primary_school_1km,
        bool_or(service_type = '幼儿园' and walking_distance_m <= 1000) as kindergarten_1km,
        bool_or(service_type = '社区卫生服务中心' and walking_distance_m <= 1000) as health_centre_1km,
        bool_or(service_type = '公交站点' and walking_distance_m <= 500) as bus_stop_500m,
        bool_or(service_type = '菜市场' and walking_distance_m <= 1000) as market_1km,
        bool_or(service_type = '养老服务设施' and walking_distance_m <= 1000) as elderly_facility_1km
    from {{ ref('int_services_by_month') }}
    where estate_code is not null
    group by month, estate_code
),
fac as (
    select
        month,
        estate_code,
        bool_or(facility_type = '养老服务站' and operating_status = '正常') as elderly_station_ok,
        bool_or(facility_type = '老年食堂' and operating_status = '正常') as elderly_canteen_ok,
        bool_or(facility_type = '社区卫生服务站' and operating_status = '正常') as health_station_ok,
        -- 配套完备率: present in any status but 停用
        (  cast(bool_or(facility_type = '养老服务站' and operating_status <> '停用') as int)
         + cast(bool_or(facility_type = '社区卫生服务站' and operating_status <> '停用') as int)
         + cast(bool_or(facility_type = '四点半课堂' and operating_status <> '停用') as int)
         + cast(bool_or(facility_type = '老年食堂' and operating_status <> '停用') as int)
         + cast(bool_or(facility_type = '文化活动室' and operating_status <> '停用') as int)
         + cast(bool_or(facility_type = '充电桩' and operating_status <> '停用') as int)) as new_estate_facilities_present
    from {{ ref('int_facilities_by_month') }}
    where estate_code is not null
    group by month, estate_code
),
has_service_snapshot as (
    select distinct month from {{ ref('int_services_by_month') }}
),
flags as (
    select
        e.month,
        e.estate_code,
        hs.month is not null as service_snapshot_exists,
        coalesce(s.primary_school_1km, false) as primary_school_1km,
        coalesce(s.kindergarten_1km, false) as kindergarten_1km,
        coalesce(s.health_centre_1km, false) as health_centre_1km,
        coalesce(s.bus_stop_500m, false) as bus_stop_500m,
        coalesce(s.market_1km, false) as market_1km,
        coalesce(f.elderly_station_ok, false) or coalesce(s.elderly_facility_1km, false) as elderly_service,
        coalesce(f.elderly_station_ok, false) as elderly_station_ok,
        coalesce(f.elderly_canteen_ok, false) as elderly_canteen_ok,
        coalesce(f.health_station_ok, false) or coalesce(s.health_centre_1km, false) as health_cover,
        coalesce(f.new_estate_facilities_present, 0) as new_estate_facilities_present
    from {{ ref('int_estate_months') }} e
    left join svc s using (month, estate_code)
    left join fac f using (month, estate_code)
    left join has_service_snapshot hs using (month)
)
select
    month,
    estate_code,
    primary_school_1km,
    kindergarten_1km,
    health_centre_1km,
    bus_stop_500m,
    market_1km,
    elderly_service,
    case when service_snapshot_exists then
        (cast(primary_school_1km as int) + cast(kindergarten_1km as int) + cast(health_centre_1km as int)
         + cast(bus_stop_500m as int) + cast(market_1km as int) + cast(elderly_service as int)) / 6.0
    end as service_rate,
    -- 养老服务覆盖 (老龄化): count out of 3
    cast(elderly_station_ok as int) + cast(elderly_canteen_ok as int) + cast(health_cover as int) as elderly_coverage,
    -- 配套完备率 (新建): share of the six
    new_estate_facilities_present / 6.0 as facility_completeness
from flags
