import RedressCore
import RedressStore

extension Components.Schemas.Category {
    init(_ category: RedressStore.Category) {
        self.init(id: Wire.id(category.id), branchId: Wire.id(category.branchId), parentId: category.parentId.map(Wire.id),
                  code: category.code, name: category.name, active: category.active)
    }
}

extension Components.Schemas.RoutingRule {
    init(_ rule: RoutingRuleStore.Rule) {
        self.init(id: Wire.id(rule.id), branchId: Wire.id(rule.branchId), position: rule.position, categoryId: Wire.id(rule.categoryId),
                  channel: rule.channel, level: rule.level, product: rule.product, departmentId: Wire.id(rule.departmentId))
    }
}
