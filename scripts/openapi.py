#!/usr/bin/env python3
"""Writes Sources/RedressServer/OpenAPI/OpenAPIDocument.swift, the served OpenAPI 3.1 document.

Run after changing a route or a request or response shape; OpenAPITests checks that the
document names exactly the routes the router serves."""
import json
import os
def ref(name): return {"$ref": f"#/components/schemas/{name}"}
uuid = {"type": "string", "format": "uuid"}
dt = {"type": "string", "format": "date-time"}
def s(maxLength=None, minLength=None, **kw):
    d = {"type": "string"}
    if minLength is not None: d["minLength"] = minLength
    if maxLength is not None: d["maxLength"] = maxLength
    d.update(kw); return d
def nullable(schema): 
    d = dict(schema); t = d.get("type")
    if t: d["type"] = [t, "null"]
    return d
def obj(props, required=(), additional=False, desc=None):
    d = {"type": "object", "properties": props, "additionalProperties": additional}
    if required: d["required"] = list(required)
    if desc: d["description"] = desc
    return d
def enum(*values): return {"type": "string", "enum": list(values)}
roles = enum("agent", "handler", "department_head", "branch_manager", "executive", "auditor", "bot", "admin")
statuses = enum("received","acknowledged","graded","assigned","investigating","plan_proposed","plan_head_approved","plan_approved","implementing","result_fed_back","follow_up","awaiting_customer","closed","archived")
actions = ["acknowledge","grade","assign","reassign","start_investigation","propose_plan","approve_plan","reject_plan","start_implementation","feed_back_result","resolve_on_the_spot","start_follow_up","record_satisfaction","close","mark_invalid","reopen","await_customer","resume","archive"]
channels = ["phone","web","email","visit","sms","chat","social_media","third_party","app","internal","institutional"]
kinds = enum("customer_service","complaint_office","network_operations","billing","product","service_quality","after_sales","legal","other")
def page(item): return obj({"items": {"type": "array", "items": ref(item)}, "nextCursor": nullable(s())}, ["items"], additional=False)

schemas = {
 "Problem": obj({"type": s(), "title": s(), "status": {"type": "integer"}, "detail": s(),
   "errors": {"type": "array", "items": obj({"field": s(), "message": s()}, ["field","message"])},
   "retryAfter": {"type": "integer"}, "currentStatus": s(), "allowedActions": {"type": "array", "items": s()}},
   ["type","title","status"], desc="RFC 9457 problem details"),
 "Readiness": obj({"status": s(), "database": s(), "migrations": s(), "scheduler": enum("ok","behind","unknown"),
                   "schedulerLagSeconds": {"type": ["number","null"], "description": "age of the oldest due escalation or ack window; 0 when none is due"}},
                  ["status","database","migrations","scheduler"]),
 "SignIn": obj({"branch": s(32, 1), "login": s(64, 1), "password": s(200, 1)}, ["branch","login","password"]),
 "SignedIn": obj({"token": s(), "tokenType": s(), "expiresAt": dt, "userId": uuid, "branchId": uuid}, ["token","tokenType","expiresAt","userId","branchId"]),
 "Branch": obj({"id": uuid, "code": s(), "name": s(), "region": s(), "timeZone": s(), "createdAt": dt, "updatedAt": dt}, ["id","code","name","region","timeZone","createdAt","updatedAt"]),
 "BranchChanges": obj({"name": s(200, 1), "region": s(200), "timeZone": s(64, 1)}),
 "Department": obj({"id": uuid, "branchId": uuid, "name": s(), "kind": kinds, "headUserId": nullable(uuid), "createdAt": dt, "updatedAt": dt}, ["id","branchId","name","kind","createdAt","updatedAt"]),
 "NewDepartment": obj({"name": s(200, 1), "kind": kinds, "headUserId": nullable(uuid)}, ["name","kind"]),
 "DepartmentChanges": obj({"name": s(200, 1), "kind": kinds, "headUserId": nullable(uuid)}),
 "User": obj({"id": uuid, "branchId": uuid, "login": s(), "name": s(), "position": s(), "email": nullable(s()), "phone": nullable(s()),
   "roles": {"type": "array", "items": roles}, "departmentIds": {"type": "array", "items": uuid}, "active": {"type": "boolean"},
   "createdAt": dt, "updatedAt": dt}, ["id","branchId","login","name","position","roles","departmentIds","active","createdAt","updatedAt"]),
 "NewUser": obj({"login": s(64, 2, pattern="^[a-z0-9][a-z0-9._@-]{1,63}$"), "name": s(200, 1), "position": s(200), "email": nullable(s(320)),
   "phone": nullable(s(40)), "roles": {"type": "array", "items": roles, "minItems": 1, "uniqueItems": True},
   "departmentIds": {"type": "array", "items": uuid, "maxItems": 50, "uniqueItems": True}, "password": s(72, 10)}, ["login","name","roles"]),
 "UserChanges": obj({"login": s(64, 2, pattern="^[a-z0-9][a-z0-9._@-]{1,63}$"), "name": s(200, 1), "position": s(200), "email": nullable(s(320)),
   "phone": nullable(s(40)), "roles": {"type": "array", "items": roles, "minItems": 1, "uniqueItems": True},
   "departmentIds": {"type": "array", "items": uuid, "maxItems": 50, "uniqueItems": True}, "active": {"type": "boolean"}, "password": s(72, 10)}),
 "Me": obj({"user": ref("User"), "branchCode": s(), "credential": enum("session","api_key"), "expiresAt": nullable(dt),
   "branchIds": {"type": "array", "items": uuid}, "departmentIds": {"type": "array", "items": uuid}, "grantedBranchIds": {"type": "array", "items": uuid}},
   ["user","branchCode","credential","branchIds","departmentIds","grantedBranchIds"]),
 "APIKey": obj({"id": uuid, "branchId": uuid, "userId": uuid, "name": s(), "prefix": s(), "createdBy": nullable(uuid), "createdAt": dt,
   "expiresAt": nullable(dt), "revokedAt": nullable(dt)}, ["id","branchId","userId","name","prefix","createdAt"]),
 "NewAPIKey": obj({"userId": uuid, "name": s(200, 1), "expiresAt": dt}, ["userId","name"]),
 "IssuedAPIKey": obj({"key": ref("APIKey"), "secret": s()}, ["key","secret"]),
 "Category": obj({"id": uuid, "branchId": uuid, "parentId": nullable(uuid), "code": s(), "name": s(), "active": {"type": "boolean"}}, ["id","branchId","code","name","active"]),
 "Complainant": obj({"name": nullable(s(200)), "phone": nullable(s(40)), "email": nullable(s(320)), "address": nullable(s(500)),
   "idNumber": nullable(s(40)),
   "customerType": enum("individual","enterprise","government","public_institution","social_organisation"), "customerRef": nullable(s(100))},
   desc="Stored sealed (AES-256-GCM). Agents, handlers and department heads see it in full; other roles see it masked (138****5678)"),
 "Intake": obj({"channel": enum(*channels), "source": enum("external","internal","institutional"), "complainant": ref("Complainant"),
   "occurredAt": dt, "receivedAt": dt, "product": s(200, 1), "party": s(200, 1), "location": s(500, 1), "description": s(20000, 1),
   "desiredOutcome": s(5000, 1), "categoryId": uuid, "level": {"type": "integer", "minimum": 1, "maximum": 3},
   "nature": enum("general","major"), "priority": enum("urgent","important","general")}, ["channel","complainant","description"]),
 "Complaint": obj({"id": uuid, "branchId": uuid, "caseNumber": s(), "channel": s(), "source": s(), "complainant": ref("Complainant"),
   "occurredAt": nullable(dt), "receivedAt": dt, "product": nullable(s()), "party": nullable(s()), "location": nullable(s()),
   "description": s(), "desiredOutcome": nullable(s()), "categoryId": nullable(uuid), "level": {"type": ["integer","null"]},
   "nature": enum("general","major","repeat","invalid"), "priority": enum("urgent","important","general"), "repeatOf": nullable(uuid),
   "departmentId": nullable(uuid), "collaboratingDepartmentIds": {"type": "array", "items": uuid}, "responsibleUserId": nullable(uuid),
   "status": statuses, "pausedFrom": {"oneOf": [statuses, {"type": "null"}]}, "reopenCount": {"type": "integer"}, "satisfaction": {"type": ["integer","null"]},
   "resolution": nullable(s()), "closedAt": nullable(dt), "createdBy": nullable(uuid), "createdAt": dt, "updatedAt": dt,
   "promisedBy": nullable(dt), "dueAt": nullable(dt),
   "sla": {"type": ["object", "null"], "description": "Every SLA deadline with its explanation: policy, counting, time zone, milestones, tiers, pauses, completed milestones"},
   "nextEscalationTier": {"type": ["integer", "null"]}, "nextEscalationAt": nullable(dt), "allowedActions": {"type": "array", "items": enum(*actions)}},
   ["id","branchId","caseNumber","channel","source","complainant","receivedAt","description","nature","priority","collaboratingDepartmentIds","status","reopenCount","createdAt","updatedAt","allowedActions"]),
 "Classification": obj({"categoryId": nullable(uuid), "level": {"type": ["integer","null"], "minimum": 1, "maximum": 3},
   "nature": enum("general","major"), "priority": enum("urgent","important","general"), "note": s(5000, 1)}),
 "Step": obj({"note": s(5000, 1), "categoryId": uuid, "level": {"type": "integer", "minimum": 1, "maximum": 3}, "nature": enum("general","major"),
   "priority": enum("urgent","important","general"), "promisedBy": dt, "departmentId": uuid, "responsibleUserId": uuid,
   "collaboratingDepartmentIds": {"type": "array", "items": uuid, "maxItems": 20, "uniqueItems": True},
   "satisfaction": {"type": "integer", "minimum": 1, "maximum": 10}, "resolution": s(5000, 1),
   "plan": obj({"measures": {"type": "array", "minItems": 1, "uniqueItems": True, "items": enum("apology","repair","replacement","refund","compensation","coupon_points","free_service","mediation","process_fix")},
                "description": s(20000, 1), "compensationAmount": {"type": "number", "minimum": 0}, "currency": s(3, 3, pattern="^[A-Z]{3}$"),
                "responsibleDepartmentId": uuid, "responsibleUserId": uuid, "dueAt": dt, "regulatorFilingRequired": {"type": "boolean"}}, ["measures","description"]),
   "regulatorReference": s(200, 1),
   "survey": obj({"method": enum("phone","sms","email","visit","online_questionnaire"), "attitude": {"type": "integer", "minimum": 1, "maximum": 10},
                  "efficiency": {"type": "integer", "minimum": 1, "maximum": 10}, "outcome": {"type": "integer", "minimum": 1, "maximum": 10}, "comments": s(5000, 1)}, ["method"])},
   desc="What the step records; which fields a step requires is listed in the README."),
 "Event": obj({"id": {"type": "integer"}, "at": dt, "actorId": nullable(uuid), "actorRoles": {"type": "array", "items": s()}, "kind": s(),
   "before": {"type": ["object","null"], "additionalProperties": {"type": ["string","null"]}},
   "after": {"type": ["object","null"], "additionalProperties": {"type": ["string","null"]}}, "note": nullable(s())}, ["id","at","actorRoles","kind"]),
 "Communication": obj({"id": uuid, "complaintId": uuid, "at": dt, "direction": s(), "channel": s(), "kind": s(), "content": s(), "recordedBy": uuid},
   ["id","complaintId","at","direction","channel","kind","content","recordedBy"]),
 "NewCommunication": obj({"direction": enum("inbound","outbound","internal"), "channel": enum(*(channels+["letter"])),
   "kind": enum("confirmation","initial_reply","progress_update","result_feedback","follow_up","note"), "content": s(20000, 1)}, ["direction","channel","kind","content"]),
 "Evidence": obj({"id": uuid, "complaintId": uuid, "type": s(), "source": s(), "description": nullable(s()), "collectedAt": dt, "collectedBy": s(),
   "contentType": nullable(s()), "size": {"type": "integer"}, "sha256": s(), "recordedBy": uuid, "recordedAt": dt},
   ["id","complaintId","type","source","collectedAt","collectedBy","size","sha256","recordedBy","recordedAt"]),
 "NewEvidence": obj({"type": enum("documentary","electronic","physical","witness"), "source": s(500, 1), "description": s(5000, 1),
   "collectedAt": dt, "collectedBy": s(200, 1), "contentType": s(200), "contentBase64": s(contentEncoding="base64")}, ["type","source","collectedAt","collectedBy"]),
 "Finding": obj({"id": uuid, "complaintId": uuid, "basis": s(), "directParties": {"type": "array", "items": s()}, "indirectParties": {"type": "array", "items": s()},
   "summary": s(), "accountability": nullable(s()), "recordedBy": uuid, "recordedAt": dt}, ["id","complaintId","basis","directParties","indirectParties","summary","recordedBy","recordedAt"]),
 "NewFinding": obj({"basis": enum("fault","strict_liability","causation"), "directParties": {"type": "array", "maxItems": 20, "items": s(200, 1)},
   "indirectParties": {"type": "array", "maxItems": 20, "items": s(200, 1)}, "summary": s(20000, 1), "accountability": s(5000, 1)}, ["basis","summary"]),
 "Plan": obj({"id": uuid, "complaintId": uuid, "measures": {"type": "array", "items": s()}, "description": s(), "compensationAmount": {"type": ["number","null"]},
   "currency": nullable(s()), "responsibleDepartmentId": nullable(uuid), "responsibleUserId": nullable(uuid), "dueAt": nullable(dt),
   "regulatorFilingRequired": {"type": "boolean"}, "regulatorReference": nullable(s()), "status": enum("proposed","head_approved","approved","rejected"),
   "proposedBy": uuid, "proposedAt": dt, "headApprovedBy": nullable(uuid), "headApprovedAt": nullable(dt), "leadershipApprovedBy": nullable(uuid),
   "leadershipApprovedAt": nullable(dt), "rejectedBy": nullable(uuid), "rejectedAt": nullable(dt), "rejectionReason": nullable(s())},
   ["id","complaintId","measures","description","regulatorFilingRequired","status","proposedBy","proposedAt"]),
}
schemas["NewCategory"] = obj({"code": s(64, 1, pattern="^[a-z0-9][a-z0-9_.-]{0,63}$"), "name": s(200, 1), "parentId": nullable(uuid)}, ["code","name"])
schemas["CategoryChanges"] = obj({"name": s(200, 1), "active": {"type": "boolean"}})
schemas["RoutingRule"] = obj({"id": uuid, "branchId": uuid, "position": {"type": "integer"}, "categoryId": uuid, "channel": nullable(s()),
   "level": {"type": ["integer","null"]}, "product": nullable(s()), "departmentId": uuid}, ["id","branchId","position","categoryId","departmentId"])
schemas["NewRoutingRule"] = obj({"position": {"type": "integer", "minimum": 0, "maximum": 100000}, "categoryId": uuid, "channel": enum(*channels),
   "level": {"type": "integer", "minimum": 1, "maximum": 3}, "product": s(200, 1), "departmentId": uuid}, ["categoryId","departmentId"])
schemas["Handover"] = obj({"id": uuid, "at": dt, "fromDepartmentId": nullable(uuid), "toDepartmentId": nullable(uuid), "fromUserId": nullable(uuid),
   "toUserId": nullable(uuid), "byUserId": nullable(uuid), "reason": nullable(s())}, ["id","at"])
schemas["Page"] = obj({"id": uuid, "complaintId": uuid, "tier": {"type": "integer"}, "rung": {"type": "integer", "description": "the ladder rung paged: the tier, or a later rung when re-paged"}, "recipientKind": s(), "recipientUserId": uuid,
   "late": {"type": "boolean"}, "summary": {"type": "object", "description": "caseNumber, tier, dueAt, lateSeconds, status, priority, level, nature, categoryId, departmentId, receivedAt; never customer personal data"},
   "createdAt": dt, "acknowledgedAt": nullable(dt)}, ["id","complaintId","tier","rung","recipientKind","recipientUserId","late","summary","createdAt"])
schemas["Escalation"] = obj({"id": uuid, "complaintId": uuid, "caseNumber": s(), "tier": {"type": "integer"}, "dueAt": dt, "recordedAt": dt,
   "lateSeconds": {"type": "integer"}, "departmentId": nullable(uuid),
   "followUpId": {"type": "string", "format": "uuid", "description": "the overdue follow-up escalated; absent for the complaint's own tiers"},
   "pages": {"type": "array", "items": obj({"userId": uuid, "kind": s(), "acknowledgedAt": nullable(dt)}, ["userId","kind"])}},
   ["id","complaintId","caseNumber","tier","dueAt","recordedAt","lateSeconds","pages"])
recipients = enum("department_head","branch_manager","complaint_office","executives","bots")
hours = {"type": "integer", "minimum": 1, "maximum": 8760}
rung = obj({"tier": {"type": "integer", "minimum": 1}, "afterHours": hours, "recipients": {"type": "array", "minItems": 1, "maxItems": 5, "uniqueItems": True, "items": recipients}},
           ["tier","afterHours","recipients"])
policy_props = {"name": s(200, 1), "active": {"type": "boolean"},
   "categoryIds": {"type": ["array","null"], "maxItems": 200, "uniqueItems": True, "items": uuid},
   "priorities": {"type": ["array","null"], "maxItems": 3, "uniqueItems": True, "items": enum("urgent","important","general")},
   "levels": {"type": ["array","null"], "maxItems": 3, "uniqueItems": True, "items": {"type": "integer", "minimum": 1, "maximum": 3}},
   "natures": {"type": ["array","null"], "maxItems": 2, "uniqueItems": True, "items": enum("general","major")},
   "counting": enum("calendar_hours","working_calendar"),
   "milestoneHours": obj({"acknowledge": hours, "initial_reply": hours, "preliminary_feedback": hours}),
   "resultHours": obj({"urgent": hours, "important": hours, "general": hours}, ["urgent","important","general"]),
   "ladder": {"type": "array", "minItems": 1, "maxItems": 20, "items": rung, "description": "tiers numbered 1, 2, 3… with rising afterHours"},
   "ackWindowMinutes": {"type": "integer", "minimum": 1, "maximum": 1440, "description": "default 15"},
   "followUpHours": {"type": "integer", "minimum": 1, "maximum": 720, "description": "the satisfaction follow-up is due this long after the result is fed back; default 24"},
   "followUpCallbackDays": {"type": "array", "maxItems": 12, "uniqueItems": True, "items": {"type": "integer", "minimum": 1, "maximum": 3660},
                            "description": "long-term callbacks this many days after closing, e.g. [7, 30, 91]; none by default"}}
schemas["NewSLAPolicy"] = obj(policy_props, ["name","counting","milestoneHours","resultHours","ladder"],
   desc="Which complaints the policy covers (empty or absent conditions match any), how it counts time, its targets and its escalation ladder")
schemas["SLAPolicy"] = obj(dict(policy_props, id=uuid, branchId=uuid, updatedAt=dt), ["id","branchId","name","active","counting","milestoneHours","resultHours","ladder","ackWindowMinutes","followUpHours","followUpCallbackDays","updatedAt"])
interval = s(11, 11, pattern="^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$")
weekly = obj({d: {"type": "array", "maxItems": 8, "items": interval} for d in ["sunday","monday","tuesday","wednesday","thursday","friday","saturday"]})
dates = {"type": "array", "maxItems": 1000, "uniqueItems": True, "items": {"type": "string", "format": "date"}}
schemas["CalendarChanges"] = obj({"hours": weekly, "holidays": dates, "makeUpDays": dates}, ["hours"])
schemas["Calendar"] = obj({"branchId": uuid, "timeZone": s(), "hours": weekly, "holidays": dates, "makeUpDays": dates, "updatedAt": dt},
   ["branchId","timeZone","hours","holidays","makeUpDays","updatedAt"])
schemas["NewWebhook"] = obj({"userId": uuid, "url": s(2000, 1, format="uri")}, ["userId","url"])
schemas["WebhookChanges"] = obj({"url": s(2000, 1, format="uri"), "active": {"type": "boolean"}, "rotateSecret": {"type": "boolean"}})
schemas["Webhook"] = obj({"id": uuid, "branchId": uuid, "userId": uuid, "url": s(), "active": {"type": "boolean"}, "createdAt": dt, "updatedAt": dt,
   "secret": s(description="the signing secret; only in the answer that created or rotated it")}, ["id","branchId","userId","url","active","createdAt","updatedAt"])
schemas["Delivery"] = obj({"id": uuid, "pageId": uuid, "state": enum("pending","delivered","dead"), "attempts": {"type": "integer"},
   "nextAttemptAt": nullable(dt), "lastError": nullable(s()), "createdAt": dt, "finishedAt": nullable(dt),
   "history": {"type": "array", "items": obj({"attempt": {"type": "integer"}, "startedAt": dt, "durationMs": {"type": "integer"},
       "statusCode": {"type": ["integer","null"]}, "error": nullable(s())}, ["attempt","startedAt","durationMs"])}},
   ["id","pageId","state","attempts","createdAt","history"])
schemas["AuditEntry"] = obj({"id": {"type": "integer"}, "branchId": uuid, "at": dt, "actorId": nullable(uuid), "actorRoles": {"type": "array", "items": s()},
   "requestId": nullable(s()), "action": enum("insert","update","delete","read","export"), "entity": s(), "entityId": nullable(uuid),
   "before": {"description": "the row before (secrets and evidence content left out)"}, "after": {"description": "the row after, or what was read or exported"},
   "seq": {"type": ["integer","null"], "description": "place in the branch's hash chain once sealed"},
   "hash": nullable(s(description="SHA-256 (hex) of the entry and the previous entry's hash"))},
   ["id","branchId","at","actorRoles","action","entity"])
schemas["FollowUp"] = obj({"id": uuid, "branchId": uuid, "complaintId": uuid, "caseNumber": s(), "complaintStatus": statuses,
   "departmentId": nullable(uuid), "kind": enum("satisfaction","callback"), "dueAt": dt, "status": enum("due","done","cancelled"),
   "overdue": {"type": "boolean"}, "escalatedAt": nullable(dt), "surveyId": nullable(uuid), "completedBy": nullable(uuid),
   "completedAt": nullable(dt), "createdAt": dt}, ["id","branchId","complaintId","caseNumber","complaintStatus","kind","dueAt","status","overdue","createdAt"])
score = {"type": "integer", "minimum": 1, "maximum": 10}
schemas["Outcome"] = obj({"method": enum("phone","sms","email","visit","online_questionnaire"), "score": score, "attitude": score,
   "efficiency": score, "outcome": score, "comments": s(5000, 1), "note": s(5000, 1)}, ["method","score"],
   desc="The customer's answer: 6 or more closes the complaint, less reopens it for secondary handling")
schemas["OutcomeResult"] = obj({"followUp": ref("FollowUp"), "complaint": ref("Complaint")}, ["followUp","complaint"])
count = {"type": "integer"}
number = {"type": "number"}
milestone_figures = obj({"due": count, "onTime": count, "rate": number}, ["due","onTime"])
schemas["ReportFigures"] = obj({"received": count, "open": count, "resolved": count, "resolutionRate": number, "invalid": count,
   "repeats": count, "repeatRate": number, "escalated": count,
   "escalationsByTier": {"type": "object", "additionalProperties": count, "description": "complaints escalated to each tier, by tier number"},
   "milestones": obj({m: milestone_figures for m in ["acknowledge","initial_reply","preliminary_feedback","result"]},
                     ["acknowledge","initial_reply","preliminary_feedback","result"]),
   "firstReplyMedianSeconds": number, "firstReplyP90Seconds": number, "resolutionMedianSeconds": number, "resolutionP90Seconds": number,
   "surveyed": count, "satisfactionAverage": number, "satisfied": count, "basicallySatisfied": count, "dissatisfied": count,
   "satisfactionRate": number},
   ["received","open","resolved","invalid","repeats","escalated","escalationsByTier","milestones","surveyed","satisfied","basicallySatisfied","dissatisfied"],
   desc="Counted over the complaints received in the period; a rate or time is absent when there is nothing to compute it from")
schemas["ReportChange"] = obj({"received": count, "receivedRelative": number, "resolved": count, "resolutionRate": number,
   "resultOnTimeRate": number, "satisfactionAverage": number, "repeatRate": number, "escalated": count}, ["received","resolved","escalated"],
   desc="This period minus the previous one")
schemas["ReportRow"] = obj({"key": s(description="the group's id, code, channel or level; absent for the totals"), "label": s(),
   "current": ref("ReportFigures"), "previous": ref("ReportFigures"), "change": ref("ReportChange")}, ["current","previous","change"])
schemas["ComplaintReport"] = obj({
   "period": obj({"kind": enum("day","week","month","quarter","custom"), "from": s(format="date"), "to": s(format="date"),
                  "previousFrom": s(format="date"), "previousTo": s(format="date")}, ["kind","from","to","previousFrom","previousTo"]),
   "groupBy": enum("none","branch","department","category","channel","level","responsible"),
   "filter": obj({"branchId": uuid, "departmentId": uuid, "category": s(), "channel": s(), "level": count}),
   "totals": ref("ReportRow"), "groups": {"type": "array", "items": ref("ReportRow")},
   "topCategories": {"type": "array", "items": obj({"code": s(), "name": s(), "received": count, "previous": count}, ["code","received","previous"])}},
   ["period","groupBy","filter","totals","groups","topCategories"])
schemas["ComplaintExportRow"] = obj({"caseNumber": s(), "receivedAt": dt, "channel": s(), "source": s(), "customerType": s(), "category": s(),
   "level": count, "nature": s(), "priority": s(), "status": statuses, "department": s(), "responsibleUserId": uuid, "dueAt": dt,
   "closedAt": dt, "reopenCount": count, "satisfaction": count}, ["caseNumber","receivedAt","channel","source","customerType","nature","priority","status","reopenCount"],
   desc="A complaint without the customer's personal data")
schemas["ComplaintExport"] = {"type": "array", "items": ref("ComplaintExportRow")}
schemas["PhoneSearch"] = obj({"phone": s(40, 1, description="the customer's phone number, any spacing; 5 to 20 digits")}, ["phone"], additional=False,
                             desc="A phone lookup, sent in a body so numbers stay out of URLs and access logs")
for name in ["FollowUp", "AuditEntry", "SLAPolicy", "Webhook", "Delivery", "Page", "Escalation", "RoutingRule", "Handover", "Branch","Department","User","APIKey","Category","Complaint","Event","Communication","Evidence","Finding","Plan"]:
    schemas[name+"Page"] = page(name)

problem = {"description": "Problem", "content": {"application/problem+json": {"schema": ref("Problem")}}}
def resp(status, schema=None, desc="OK"):
    r = {"description": desc}
    if schema: r["content"] = {"application/json": {"schema": ref(schema)}}
    return status, r
def op(summary, responses, body=None, params=(), secured=True, tags=None):
    o = {"summary": summary, "responses": {}}
    for st, r in responses: o["responses"][str(st)] = r
    for st in (["400","401","404","422","429"] if secured else ["400","422"]):
        o["responses"].setdefault(st, problem)
    if body: o["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
    if params: o["parameters"] = list(params)
    if not secured: o["security"] = []
    if tags: o["tags"] = tags
    return o
def pathp(name="id"): return {"name": name, "in": "path", "required": True, "schema": uuid}
def q(name, schema): return {"name": name, "in": "query", "required": False, "schema": schema}
pagep = [q("limit", {"type": "integer", "minimum": 1, "maximum": 200}), q("cursor", s(1024))]
date = s(format="date", pattern="^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")
reportp = [q("period", enum("day","week","month","quarter","custom")), q("date", date), q("from", date), q("to", date),
           q("branchId", uuid), q("departmentId", uuid), q("category", s(64, 1, pattern="^[a-z0-9][a-z0-9_.-]{0,63}$")),
           q("channel", enum(*channels)), q("level", {"type": "integer", "minimum": 1, "maximum": 3})]
exportp = [q("format", enum("csv","json")), q("bom", {"type": "boolean"})]
complaintp = [q("status", statuses), q("departmentId", uuid), q("myDepartments", {"type": "boolean"}), q("assignedToMe", {"type": "boolean"}),
              q("categoryId", uuid), q("level", {"type": "integer", "minimum": 1, "maximum": 3}), q("priority", enum("urgent","important","general")),
              q("channel", enum(*channels)), q("receivedFrom", dt), q("receivedBefore", dt), q("q", s(200, 1)),
              q("overdue", {"type": "boolean"}), q("sort", enum("received","due"))]
paths = {
 "/healthz": {"get": op("The process is up", [resp(200, None)], secured=False, tags=["health"])},
 "/readyz": {"get": op("Database reachable and migrations current", [resp(200, "Readiness"), resp(503, "Readiness", "Not ready")], secured=False, tags=["health"])},
 "/v1/openapi.json": {"get": op("This document", [resp(200, None)], secured=False, tags=["meta"])},
 "/v1/auth/sign-in": {"post": op("Sign in with a password", [resp(201, "SignedIn", "Signed in"), ("401", problem), ("429", problem)], body="SignIn", secured=False, tags=["auth"])},
 "/v1/auth/sign-out": {"post": op("End the current session", [("204", {"description": "Signed out"})], tags=["auth"])},
 "/v1/me": {"get": op("The caller", [resp(200, "Me")], tags=["auth"])},
 "/v1/branches": {"get": op("Branches in scope", [resp(200, "BranchPage")], tags=["directory"])},
 "/v1/branches/{id}": {"get": op("One branch", [resp(200, "Branch")], params=[pathp()], tags=["directory"]),
                       "patch": op("Change a branch (admin)", [resp(200, "Branch"), ("403", problem)], body="BranchChanges", params=[pathp()], tags=["directory"])},
 "/v1/departments": {"get": op("Departments in scope", [resp(200, "DepartmentPage")], params=pagep+[q("branchId", uuid)], tags=["directory"]),
                     "post": op("Create a department (admin)", [resp(201, "Department", "Created"), ("403", problem), ("409", problem)], body="NewDepartment", tags=["directory"])},
 "/v1/departments/{id}": {"get": op("One department", [resp(200, "Department")], params=[pathp()], tags=["directory"]),
                          "patch": op("Change a department (admin)", [resp(200, "Department"), ("403", problem), ("409", problem)], body="DepartmentChanges", params=[pathp()], tags=["directory"]),
                          "delete": op("Delete a department (admin)", [("204", {"description": "Deleted"}), ("403", problem)], params=[pathp()], tags=["directory"])},
 "/v1/users": {"get": op("People in scope", [resp(200, "UserPage")], params=pagep+[q("departmentId", uuid)], tags=["directory"]),
               "post": op("Create a user (admin)", [resp(201, "User", "Created"), ("403", problem), ("409", problem)], body="NewUser", tags=["directory"])},
 "/v1/users/{id}": {"get": op("One user", [resp(200, "User")], params=[pathp()], tags=["directory"]),
                    "patch": op("Change a user (admin)", [resp(200, "User"), ("403", problem), ("409", problem)], body="UserChanges", params=[pathp()], tags=["directory"]),
                    "delete": op("Delete a user (admin)", [("204", {"description": "Deleted"}), ("403", problem)], params=[pathp()], tags=["directory"])},
 "/v1/api-keys": {"get": op("Bot API keys in scope", [resp(200, "APIKeyPage")], params=pagep, tags=["directory"]),
                  "post": op("Issue a bot API key (admin)", [resp(201, "IssuedAPIKey", "Issued"), ("403", problem), ("409", problem)], body="NewAPIKey", tags=["directory"])},
 "/v1/api-keys/{id}": {"delete": op("Revoke a bot API key (admin)", [("204", {"description": "Revoked"}), ("403", problem)], params=[pathp()], tags=["directory"])},
 "/v1/categories": {"get": op("Complaint categories in scope", [resp(200, "CategoryPage")], tags=["configuration"]),
                    "post": op("Add a category (admin)", [resp(201, "Category", "Created"), ("403", problem), ("409", problem)], body="NewCategory", tags=["configuration"])},
 "/v1/categories/{id}": {"patch": op("Rename or (de)activate a category (admin)", [resp(200, "Category"), ("403", problem)], body="CategoryChanges", params=[pathp()], tags=["configuration"])},
 "/v1/routing-rules": {"get": op("Routing rules in scope", [resp(200, "RoutingRulePage")], tags=["configuration"]),
                       "post": op("Add a routing rule (admin)", [resp(201, "RoutingRule", "Created"), ("403", problem)], body="NewRoutingRule", tags=["configuration"])},
 "/v1/routing-rules/{id}": {"delete": op("Remove a routing rule (admin)", [("204", {"description": "Deleted"}), ("403", problem)], params=[pathp()], tags=["configuration"])},
 "/v1/pages": {"get": op("Pages addressed to the caller (open ones unless all=true)", [resp(200, "PagePage")], params=[q("all", {"type": "boolean"})], tags=["escalation"])},
 "/v1/pages/stream": {"get": op("The caller's open pages, then each new one, as server-sent events (event: page, data: a Page)",
     [("200", {"description": "An event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}})], tags=["escalation"])},
 "/v1/webhooks": {"get": op("Webhooks of the caller's branch (admin)", [resp(200, "WebhookPage"), ("403", problem)], tags=["escalation"]),
                  "post": op("Post a recipient's pages to a URL, signed (admin); the secret is in this answer only", [resp(201, "Webhook", "Created"), ("403", problem)], body="NewWebhook", tags=["escalation"])},
 "/v1/webhooks/{id}": {"patch": op("Change, (de)activate or rotate the secret of a webhook (admin)", [resp(200, "Webhook"), ("403", problem)], body="WebhookChanges", params=[pathp()], tags=["escalation"])},
 "/v1/webhooks/{id}/deliveries": {"get": op("Deliveries of a webhook with every attempt, newest first (admin)", [resp(200, "DeliveryPage"), ("403", problem)],
     params=[pathp(), q("state", enum("pending","delivered","dead")), q("limit", {"type": "integer", "minimum": 1, "maximum": 200})], tags=["escalation"])},
 "/v1/audit": {"get": op("The audit trail of the branches the caller audits, newest first (auditors)", [resp(200, "AuditEntryPage"), ("403", problem)],
     params=[q("entity", s(64, 1, pattern="^[a-z_]+$")), q("entityId", uuid), q("limit", {"type": "integer", "minimum": 1, "maximum": 200}), q("cursor", s(20, 1, pattern="^[0-9]+$"))],
     tags=["audit"])},
 "/v1/sla-policies": {"get": op("SLA policies in scope", [resp(200, "SLAPolicyPage")], tags=["configuration"]),
                      "post": op("Add an SLA policy (admin); open complaints are recomputed", [resp(201, "SLAPolicy", "Created"), ("403", problem), ("409", problem)], body="NewSLAPolicy", tags=["configuration"])},
 "/v1/sla-policies/{id}": {"get": op("One SLA policy", [resp(200, "SLAPolicy")], params=[pathp()], tags=["configuration"]),
                           "put": op("Replace an SLA policy (admin); open complaints are recomputed", [resp(200, "SLAPolicy"), ("403", problem), ("409", problem)], body="NewSLAPolicy", params=[pathp()], tags=["configuration"])},
 "/v1/branches/{id}/calendar": {"get": op("A branch's working calendar", [resp(200, "Calendar")], params=[pathp()], tags=["configuration"]),
                                "put": op("Replace a branch's working calendar (admin); open complaints are recomputed", [resp(200, "Calendar"), ("403", problem)], body="CalendarChanges", params=[pathp()], tags=["configuration"])},
 "/v1/pages/{id}/acknowledge": {"post": op("Acknowledge a page addressed to the caller", [resp(200, "Page")], params=[pathp()], tags=["escalation"])},
 "/v1/escalations": {"get": op("Escalations of the complaints in scope, with who was paged", [resp(200, "EscalationPage"), ("403", problem)],
                     params=[q("unacknowledged", {"type": "boolean"}), q("myDepartments", {"type": "boolean"})], tags=["escalation"])},
 "/v1/follow-ups": {"get": op("Satisfaction follow-ups and callbacks in scope, earliest due first", [resp(200, "FollowUpPage"), ("403", problem)],
     params=pagep+[q("status", enum("due","done","cancelled")), q("overdue", {"type": "boolean"}), q("complaintId", uuid)], tags=["follow-up"])},
 "/v1/follow-ups/{id}": {"get": op("One follow-up", [resp(200, "FollowUp")], params=[pathp()], tags=["follow-up"])},
 "/v1/follow-ups/{id}/outcome": {"post": op("Record the customer's answer to a due follow-up: 6 or more closes the complaint, less reopens it",
     [resp(200, "OutcomeResult"), ("403", problem), ("409", problem)], body="Outcome", params=[pathp()], tags=["follow-up"])},
 "/v1/reports/complaints": {"get": op("Complaint figures for a period and the one before it, in total and by group, within the caller's scope",
     [resp(200, "ComplaintReport"), ("403", problem)], params=reportp+[q("groupBy", enum("none","branch","department","category","channel","level","responsible"))],
     tags=["reports"])},
 "/v1/reports/handlers": {"get": op("Each responsible person's figures (department heads and above)", [resp(200, "ComplaintReport"), ("403", problem)],
     params=reportp, tags=["reports"])},
 "/v1/exports/report": {"get": op("The complaint report as a CSV or JSON download; recorded in the audit trail",
     [("200", {"description": "The report", "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": ref("ComplaintReport")}}}), ("403", problem)],
     params=reportp+exportp+[q("groupBy", enum("none","branch","department","category","channel","level","responsible"))], tags=["reports"])},
 "/v1/exports/complaints": {"get": op("Complaints as a CSV or JSON download, without personal data; recorded in the audit trail",
     [("200", {"description": "The complaints", "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": ref("ComplaintExport")}}}), ("403", problem)],
     params=complaintp+exportp, tags=["reports"])},
 "/v1/exports/complaints/search": {"post": op("The complaints of one customer's phone number as a CSV or JSON download (roles that see phone numbers in full; every lookup is audited)",
     [("200", {"description": "The complaints", "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": ref("ComplaintExport")}}}), ("403", problem)],
     body="PhoneSearch", params=complaintp+exportp, tags=["reports"])},
 "/v1/complaints/{id}/handovers": {"get": op("Every hand-over of responsibility", [resp(200, "HandoverPage")], params=[pathp()], tags=["complaints"])},
 "/v1/complaints": {"get": op("Complaints in scope, newest first", [resp(200, "ComplaintPage"), ("403", problem)],
                      params=pagep+[q("status", statuses), q("departmentId", uuid), q("myDepartments", {"type": "boolean"}), q("assignedToMe", {"type": "boolean"}),
                                    q("categoryId", uuid), q("level", {"type": "integer", "minimum": 1, "maximum": 3}), q("priority", enum("urgent","important","general")),
                                    q("channel", enum(*channels)), q("receivedFrom", dt), q("receivedBefore", dt), q("q", s(200, 1)),
                                    q("overdue", {"type": "boolean"}), q("sort", enum("received","due"))], tags=["complaints"]),
                    "post": op("Take a complaint in", [resp(201, "Complaint", "Created"), resp(200, "Complaint", "An earlier intake with the same Idempotency-Key"), ("403", problem), ("409", problem)],
                      body="Intake", params=[{"name": "Idempotency-Key", "in": "header", "required": False, "schema": s(200, 1)}], tags=["complaints"])},
 "/v1/complaints/search": {"post": op("Complaints of one customer's phone number, found through its blind index (roles that see phone numbers in full; every lookup is audited; the query string takes the list's filters)",
                      [resp(200, "ComplaintPage"), ("403", problem)], body="PhoneSearch", params=pagep+complaintp, tags=["complaints"])},
 "/v1/complaints/{id}": {"get": op("One complaint", [resp(200, "Complaint")], params=[pathp()], tags=["complaints"]),
                         "patch": op("Re-classify an open complaint", [resp(200, "Complaint"), ("403", problem), ("409", problem)], body="Classification", params=[pathp()], tags=["complaints"])},
 "/v1/complaints/{id}/timeline": {"get": op("Every change of the complaint", [resp(200, "EventPage")], params=[pathp()], tags=["complaints"])},
 "/v1/complaints/{id}/actions/{action}": {"post": op("Take a lifecycle step", [resp(200, "Complaint"), ("403", problem), ("409", problem)], body="Step",
                         params=[pathp(), {"name": "action", "in": "path", "required": True, "schema": enum(*actions)}], tags=["complaints"])},
 "/v1/complaints/{id}/communications": {"get": op("The communications log", [resp(200, "CommunicationPage")], params=[pathp()], tags=["case work"]),
                                        "post": op("Log a communication", [resp(201, "Communication", "Logged"), ("403", problem)], body="NewCommunication", params=[pathp()], tags=["case work"])},
 "/v1/complaints/{id}/evidence": {"get": op("Evidence, without content", [resp(200, "EvidencePage")], params=[pathp()], tags=["case work"]),
                                  "post": op("Record evidence (content up to 1 MiB, base64)", [resp(201, "Evidence", "Recorded"), ("403", problem), ("413", problem)], body="NewEvidence", params=[pathp()], tags=["case work"])},
 "/v1/complaints/{id}/evidence/{evidenceId}/content": {"get": op("The stored content of a piece of evidence", [("200", {"description": "The content", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})],
                                  params=[pathp(), pathp("evidenceId")], tags=["case work"])},
 "/v1/complaints/{id}/findings": {"get": op("Responsibility findings", [resp(200, "FindingPage")], params=[pathp()], tags=["case work"]),
                                  "post": op("Record a responsibility finding", [resp(201, "Finding", "Recorded"), ("403", problem)], body="NewFinding", params=[pathp()], tags=["case work"])},
 "/v1/complaints/{id}/plans": {"get": op("Handling plans with their approval chains", [resp(200, "PlanPage")], params=[pathp()], tags=["case work"])},
}
doc = {"openapi": "3.1.0",
       "info": {"title": "Redress API", "version": "1.0.0", "description": "Complaint handling for companies with many branches. Errors are application/problem+json (RFC 9457)."},
       "servers": [{"url": "/"}],
       "security": [{"bearer": []}],
       "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A session token (rds_…) from sign-in or a bot API key (rdk_…)."}},
                      "schemas": schemas},
       "paths": paths}
text = json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False)
assert '"""#' not in text
swift = '''/// The OpenAPI 3.1 description of the HTTP API, served at `GET /v1/openapi.json`. A test keeps
/// its paths and methods equal to the router's and checks that every reference resolves.
enum OpenAPIDocument {
    static let json = #"""
''' + text + '''
"""#
}
'''
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Sources/RedressServer/OpenAPI/OpenAPIDocument.swift'),'w').write(swift)
print(len(text), len(paths))
