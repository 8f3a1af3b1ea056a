-- The city row (district_code null, 全市) equals the sum of its districts for the additive figures.
with city as (select * from {{ ref('city_overview') }} where district_code is null),
districts as (
    select month, sum(estates) as estates, sum(residents_on_roll) as residents_on_roll, sum(red_list_count) as red_list_count,
           sum(orders_dispatched) as orders_dispatched, sum(certificate_backlog) as certificate_backlog
    from {{ ref('city_overview') }}
    where district_code is not null
    group by month
)
select c.month
from city c
left join districts d using (month)
where c.district_name <> '全市'
   or c.estates is distinct from coalesce(d.estates, 0)
   or c.residents_on_roll is distinct from coalesce(d.residents_on_roll, 0)
   or c.red_list_count is distinct from coalesce(d.red_list_count, 0)
   or c.certificate_backlog is distinct from coalesce(d.certificate_backlog, 0)
   -- orders of an unknown 所属区县 count for the city only
   or c.orders_dispatched < coalesce(d.orders_dispatched, 0)
