/// The OpenAPI 3.1 description of the HTTP API, served at `GET /v1/openapi.json`. A test keeps
/// its paths and methods equal to the router's and checks that every reference resolves.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "Redress API",
  "version": "1.0.0",
  "description": "Complaint handling for companies with many branches. Errors are application/problem+json (RFC 9457)."
 },
 "servers": [
  {
   "url": "/"
  }
 ],
 "security": [
  {
   "bearer": []
  }
 ],
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer",
    "description": "A session token (rds_…) from sign-in or a bot API key (rdk_…)."
   }
  },
  "schemas": {
   "Problem": {
    "type": "object",
    "properties": {
     "type": {
      "type": "string"
     },
     "title": {
      "type": "string"
     },
     "status": {
      "type": "integer"
     },
     "detail": {
      "type": "string"
     },
     "errors": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "field": {
         "type": "string"
        },
        "message": {
         "type": "string"
        }
       },
       "additionalProperties": false,
       "required": [
        "field",
        "message"
       ]
      }
     },
     "retryAfter": {
      "type": "integer"
     },
     "currentStatus": {
      "type": "string"
     },
     "allowedActions": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    },
    "additionalProperties": false,
    "required": [
     "type",
     "title",
     "status"
    ],
    "description": "RFC 9457 problem details"
   },
   "Readiness": {
    "type": "object",
    "properties": {
     "status": {
      "type": "string"
     },
     "database": {
      "type": "string"
     },
     "migrations": {
      "type": "string"
     },
     "scheduler": {
      "type": "string",
      "enum": [
       "ok",
       "behind",
       "unknown"
      ]
     },
     "schedulerLagSeconds": {
      "type": [
       "number",
       "null"
      ],
      "description": "age of the oldest due escalation or ack window; 0 when none is due"
     }
    },
    "additionalProperties": false,
    "required": [
     "status",
     "database",
     "migrations",
     "scheduler"
    ]
   },
   "SignIn": {
    "type": "object",
    "properties": {
     "branch": {
      "type": "string",
      "minLength": 1,
      "maxLength": 32
     },
     "login": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64
     },
     "password": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     }
    },
    "additionalProperties": false,
    "required": [
     "branch",
     "login",
     "password"
    ]
   },
   "SignedIn": {
    "type": "object",
    "properties": {
     "token": {
      "type": "string"
     },
     "tokenType": {
      "type": "string"
     },
     "expiresAt": {
      "type": "string",
      "format": "date-time"
     },
     "userId": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     }
    },
    "additionalProperties": false,
    "required": [
     "token",
     "tokenType",
     "expiresAt",
     "userId",
     "branchId"
    ]
   },
   "Branch": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "code": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "region": {
      "type": "string"
     },
     "timeZone": {
      "type": "string"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "updatedAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "code",
     "name",
     "region",
     "timeZone",
     "createdAt",
     "updatedAt"
    ]
   },
   "BranchChanges": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "region": {
      "type": "string",
      "maxLength": 200
     },
     "timeZone": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64
     }
    },
    "additionalProperties": false
   },
   "Department": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "name": {
      "type": "string"
     },
     "kind": {
      "type": "string",
      "enum": [
       "customer_service",
       "complaint_office",
       "network_operations",
       "billing",
       "product",
       "service_quality",
       "after_sales",
       "legal",
       "other"
      ]
     },
     "headUserId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "updatedAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "name",
     "kind",
     "createdAt",
     "updatedAt"
    ]
   },
   "NewDepartment": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "kind": {
      "type": "string",
      "enum": [
       "customer_service",
       "complaint_office",
       "network_operations",
       "billing",
       "product",
       "service_quality",
       "after_sales",
       "legal",
       "other"
      ]
     },
     "headUserId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     }
    },
    "additionalProperties": false,
    "required": [
     "name",
     "kind"
    ]
   },
   "DepartmentChanges": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "kind": {
      "type": "string",
      "enum": [
       "customer_service",
       "complaint_office",
       "network_operations",
       "billing",
       "product",
       "service_quality",
       "after_sales",
       "legal",
       "other"
      ]
     },
     "headUserId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     }
    },
    "additionalProperties": false
   },
   "User": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "login": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "position": {
      "type": "string"
     },
     "email": {
      "type": [
       "string",
       "null"
      ]
     },
     "phone": {
      "type": [
       "string",
       "null"
      ]
     },
     "roles": {
      "type": "array",
      "items": {
       "type": "string",
       "enum": [
        "agent",
        "handler",
        "department_head",
        "branch_manager",
        "executive",
        "auditor",
        "bot",
        "admin"
       ]
      }
     },
     "departmentIds": {
      "type": "array",
      "items": {
       "type": "string",
       "format": "uuid"
      }
     },
     "active": {
      "type": "boolean"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "updatedAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "login",
     "name",
     "position",
     "roles",
     "departmentIds",
     "active",
     "createdAt",
     "updatedAt"
    ]
   },
   "NewUser": {
    "type": "object",
    "properties": {
     "login": {
      "type": "string",
      "minLength": 2,
      "maxLength": 64,
      "pattern": "^[a-z0-9][a-z0-9._@-]{1,63}$"
     },
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "position": {
      "type": "string",
      "maxLength": 200
     },
     "email": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 320
     },
     "phone": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 40
     },
     "roles": {
      "type": "array",
      "items": {
       "type": "string",
       "enum": [
        "agent",
        "handler",
        "department_head",
        "branch_manager",
        "executive",
        "auditor",
        "bot",
        "admin"
       ]
      },
      "minItems": 1,
      "uniqueItems": true
     },
     "departmentIds": {
      "type": "array",
      "items": {
       "type": "string",
       "format": "uuid"
      },
      "maxItems": 50,
      "uniqueItems": true
     },
     "password": {
      "type": "string",
      "minLength": 10,
      "maxLength": 72
     }
    },
    "additionalProperties": false,
    "required": [
     "login",
     "name",
     "roles"
    ]
   },
   "UserChanges": {
    "type": "object",
    "properties": {
     "login": {
      "type": "string",
      "minLength": 2,
      "maxLength": 64,
      "pattern": "^[a-z0-9][a-z0-9._@-]{1,63}$"
     },
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "position": {
      "type": "string",
      "maxLength": 200
     },
     "email": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 320
     },
     "phone": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 40
     },
     "roles": {
      "type": "array",
      "items": {
       "type": "string",
       "enum": [
        "agent",
        "handler",
        "department_head",
        "branch_manager",
        "executive",
        "auditor",
        "bot",
        "admin"
       ]
      },
      "minItems": 1,
      "uniqueItems": true
     },
     "departmentIds": {
      "type": "array",
      "items": {
       "type": "string",
       "format": "uuid"
      },
      "maxItems": 50,
      "uniqueItems": true
     },
     "active": {
      "type": "boolean"
     },
     "password": {
      "type": "string",
      "minLength": 10,
      "maxLength": 72
     }
    },
    "additionalProperties": false
   },
   "Me": {
    "type": "object",
    "properties": {
     "user": {
      "$ref": "#/components/schemas/User"
     },
     "branchCode": {
      "type": "string"
     },
     "credential": {
      "type": "string",
      "enum": [
       "session",
       "api_key"
      ]
     },
     "expiresAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "branchIds": {
      "type": "array",
      "items": {
       "type": "string",
       "format": "uuid"
      }
     },
     "departmentIds": {
      "type": "array",
      "items": {
       "type": "string",
       "format": "uuid"
      }
     },
     "grantedBranchIds": {
      "type": "array",
      "items": {
       "type": "string",
       "format": "uuid"
      }
     }
    },
    "additionalProperties": false,
    "required": [
     "user",
     "branchCode",
     "credential",
     "branchIds",
     "departmentIds",
     "grantedBranchIds"
    ]
   },
   "APIKey": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "userId": {
      "type": "string",
      "format": "uuid"
     },
     "name": {
      "type": "string"
     },
     "prefix": {
      "type": "string"
     },
     "createdBy": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "expiresAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "revokedAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "userId",
     "name",
     "prefix",
     "createdAt"
    ]
   },
   "NewAPIKey": {
    "type": "object",
    "properties": {
     "userId": {
      "type": "string",
      "format": "uuid"
     },
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "expiresAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "userId",
     "name"
    ]
   },
   "IssuedAPIKey": {
    "type": "object",
    "properties": {
     "key": {
      "$ref": "#/components/schemas/APIKey"
     },
     "secret": {
      "type": "string"
     }
    },
    "additionalProperties": false,
    "required": [
     "key",
     "secret"
    ]
   },
   "Category": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "parentId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "code": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "active": {
      "type": "boolean"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "code",
     "name",
     "active"
    ]
   },
   "Complainant": {
    "type": "object",
    "properties": {
     "name": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200
     },
     "phone": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 40
     },
     "email": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 320
     },
     "address": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 500
     },
     "idNumber": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 40
     },
     "customerType": {
      "type": "string",
      "enum": [
       "individual",
       "enterprise",
       "government",
       "public_institution",
       "social_organisation"
      ]
     },
     "customerRef": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 100
     }
    },
    "additionalProperties": false,
    "description": "Stored sealed (AES-256-GCM). Agents, handlers and department heads see it in full; other roles see it masked (138****5678)"
   },
   "Intake": {
    "type": "object",
    "properties": {
     "channel": {
      "type": "string",
      "enum": [
       "phone",
       "web",
       "email",
       "visit",
       "sms",
       "chat",
       "social_media",
       "third_party",
       "app",
       "internal",
       "institutional"
      ]
     },
     "source": {
      "type": "string",
      "enum": [
       "external",
       "internal",
       "institutional"
      ]
     },
     "complainant": {
      "$ref": "#/components/schemas/Complainant"
     },
     "occurredAt": {
      "type": "string",
      "format": "date-time"
     },
     "receivedAt": {
      "type": "string",
      "format": "date-time"
     },
     "product": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "party": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "location": {
      "type": "string",
      "minLength": 1,
      "maxLength": 500
     },
     "description": {
      "type": "string",
      "minLength": 1,
      "maxLength": 20000
     },
     "desiredOutcome": {
      "type": "string",
      "minLength": 1,
      "maxLength": 5000
     },
     "categoryId": {
      "type": "string",
      "format": "uuid"
     },
     "level": {
      "type": "integer",
      "minimum": 1,
      "maximum": 3
     },
     "nature": {
      "type": "string",
      "enum": [
       "general",
       "major"
      ]
     },
     "priority": {
      "type": "string",
      "enum": [
       "urgent",
       "important",
       "general"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "channel",
     "complainant",
     "description"
    ]
   },
   "Complaint": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "caseNumber": {
      "type": "string"
     },
     "channel": {
      "type": "string"
     },
     "source": {
      "type": "string"
     },
     "complainant": {
      "$ref": "#/components/schemas/Complainant"
     },
     "occurredAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "receivedAt": {
      "type": "string",
      "format": "date-time"
     },
     "product": {
      "type": [
       "string",
       "null"
      ]
     },
     "party": {
      "type": [
       "string",
       "null"
      ]
     },
     "location": {
      "type": [
       "string",
       "null"
      ]
     },
     "description": {
      "type": "string"
     },
     "desiredOutcome": {
      "type": [
       "string",
       "null"
      ]
     },
     "categoryId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "level": {
      "type": [
       "integer",
       "null"
      ]
     },
     "nature": {
      "type": "string",
      "enum": [
       "general",
       "major",
       "repeat",
       "invalid"
      ]
     },
     "priority": {
      "type": "string",
      "enum": [
       "urgent",
       "important",
       "general"
      ]
     },
     "repeatOf": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "departmentId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "collaboratingDepartmentIds": {
      "type": "array",
      "items": {
       "type": "string",
       "format": "uuid"
      }
     },
     "responsibleUserId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "status": {
      "type": "string",
      "enum": [
       "received",
       "acknowledged",
       "graded",
       "assigned",
       "investigating",
       "plan_proposed",
       "plan_head_approved",
       "plan_approved",
       "implementing",
       "result_fed_back",
       "follow_up",
       "awaiting_customer",
       "closed",
       "archived"
      ]
     },
     "pausedFrom": {
      "oneOf": [
       {
        "type": "string",
        "enum": [
         "received",
         "acknowledged",
         "graded",
         "assigned",
         "investigating",
         "plan_proposed",
         "plan_head_approved",
         "plan_approved",
         "implementing",
         "result_fed_back",
         "follow_up",
         "awaiting_customer",
         "closed",
         "archived"
        ]
       },
       {
        "type": "null"
       }
      ]
     },
     "reopenCount": {
      "type": "integer"
     },
     "satisfaction": {
      "type": [
       "integer",
       "null"
      ]
     },
     "resolution": {
      "type": [
       "string",
       "null"
      ]
     },
     "closedAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "createdBy": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "updatedAt": {
      "type": "string",
      "format": "date-time"
     },
     "promisedBy": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "dueAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "sla": {
      "type": [
       "object",
       "null"
      ],
      "description": "Every SLA deadline with its explanation: policy, counting, time zone, milestones, tiers, pauses, completed milestones"
     },
     "nextEscalationTier": {
      "type": [
       "integer",
       "null"
      ]
     },
     "nextEscalationAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "allowedActions": {
      "type": "array",
      "items": {
       "type": "string",
       "enum": [
        "acknowledge",
        "grade",
        "assign",
        "reassign",
        "start_investigation",
        "propose_plan",
        "approve_plan",
        "reject_plan",
        "start_implementation",
        "feed_back_result",
        "resolve_on_the_spot",
        "start_follow_up",
        "record_satisfaction",
        "close",
        "mark_invalid",
        "reopen",
        "await_customer",
        "resume",
        "archive"
       ]
      }
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "caseNumber",
     "channel",
     "source",
     "complainant",
     "receivedAt",
     "description",
     "nature",
     "priority",
     "collaboratingDepartmentIds",
     "status",
     "reopenCount",
     "createdAt",
     "updatedAt",
     "allowedActions"
    ]
   },
   "Classification": {
    "type": "object",
    "properties": {
     "categoryId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "level": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 1,
      "maximum": 3
     },
     "nature": {
      "type": "string",
      "enum": [
       "general",
       "major"
      ]
     },
     "priority": {
      "type": "string",
      "enum": [
       "urgent",
       "important",
       "general"
      ]
     },
     "note": {
      "type": "string",
      "minLength": 1,
      "maxLength": 5000
     }
    },
    "additionalProperties": false
   },
   "Step": {
    "type": "object",
    "properties": {
     "note": {
      "type": "string",
      "minLength": 1,
      "maxLength": 5000
     },
     "categoryId": {
      "type": "string",
      "format": "uuid"
     },
     "level": {
      "type": "integer",
      "minimum": 1,
      "maximum": 3
     },
     "nature": {
      "type": "string",
      "enum": [
       "general",
       "major"
      ]
     },
     "priority": {
      "type": "string",
      "enum": [
       "urgent",
       "important",
       "general"
      ]
     },
     "promisedBy": {
      "type": "string",
      "format": "date-time"
     },
     "departmentId": {
      "type": "string",
      "format": "uuid"
     },
     "responsibleUserId": {
      "type": "string",
      "format": "uuid"
     },
     "collaboratingDepartmentIds": {
      "type": "array",
      "items": {
       "type": "string",
       "format": "uuid"
      },
      "maxItems": 20,
      "uniqueItems": true
     },
     "satisfaction": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10
     },
     "resolution": {
      "type": "string",
      "minLength": 1,
      "maxLength": 5000
     },
     "plan": {
      "type": "object",
      "properties": {
       "measures": {
        "type": "array",
        "minItems": 1,
        "uniqueItems": true,
        "items": {
         "type": "string",
         "enum": [
          "apology",
          "repair",
          "replacement",
          "refund",
          "compensation",
          "coupon_points",
          "free_service",
          "mediation",
          "process_fix"
         ]
        }
       },
       "description": {
        "type": "string",
        "minLength": 1,
        "maxLength": 20000
       },
       "compensationAmount": {
        "type": "number",
        "minimum": 0
       },
       "currency": {
        "type": "string",
        "minLength": 3,
        "maxLength": 3,
        "pattern": "^[A-Z]{3}$"
       },
       "responsibleDepartmentId": {
        "type": "string",
        "format": "uuid"
       },
       "responsibleUserId": {
        "type": "string",
        "format": "uuid"
       },
       "dueAt": {
        "type": "string",
        "format": "date-time"
       },
       "regulatorFilingRequired": {
        "type": "boolean"
       }
      },
      "additionalProperties": false,
      "required": [
       "measures",
       "description"
      ]
     },
     "regulatorReference": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "survey": {
      "type": "object",
      "properties": {
       "method": {
        "type": "string",
        "enum": [
         "phone",
         "sms",
         "email",
         "visit",
         "online_questionnaire"
        ]
       },
       "attitude": {
        "type": "integer",
        "minimum": 1,
        "maximum": 10
       },
       "efficiency": {
        "type": "integer",
        "minimum": 1,
        "maximum": 10
       },
       "outcome": {
        "type": "integer",
        "minimum": 1,
        "maximum": 10
       },
       "comments": {
        "type": "string",
        "minLength": 1,
        "maxLength": 5000
       }
      },
      "additionalProperties": false,
      "required": [
       "method"
      ]
     }
    },
    "additionalProperties": false,
    "description": "What the step records; which fields a step requires is listed in the README."
   },
   "Event": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer"
     },
     "at": {
      "type": "string",
      "format": "date-time"
     },
     "actorId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "actorRoles": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "kind": {
      "type": "string"
     },
     "before": {
      "type": [
       "object",
       "null"
      ],
      "additionalProperties": {
       "type": [
        "string",
        "null"
       ]
      }
     },
     "after": {
      "type": [
       "object",
       "null"
      ],
      "additionalProperties": {
       "type": [
        "string",
        "null"
       ]
      }
     },
     "note": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "at",
     "actorRoles",
     "kind"
    ]
   },
   "Communication": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "complaintId": {
      "type": "string",
      "format": "uuid"
     },
     "at": {
      "type": "string",
      "format": "date-time"
     },
     "direction": {
      "type": "string"
     },
     "channel": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "content": {
      "type": "string"
     },
     "recordedBy": {
      "type": "string",
      "format": "uuid"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "complaintId",
     "at",
     "direction",
     "channel",
     "kind",
     "content",
     "recordedBy"
    ]
   },
   "NewCommunication": {
    "type": "object",
    "properties": {
     "direction": {
      "type": "string",
      "enum": [
       "inbound",
       "outbound",
       "internal"
      ]
     },
     "channel": {
      "type": "string",
      "enum": [
       "phone",
       "web",
       "email",
       "visit",
       "sms",
       "chat",
       "social_media",
       "third_party",
       "app",
       "internal",
       "institutional",
       "letter"
      ]
     },
     "kind": {
      "type": "string",
      "enum": [
       "confirmation",
       "initial_reply",
       "progress_update",
       "result_feedback",
       "follow_up",
       "note"
      ]
     },
     "content": {
      "type": "string",
      "minLength": 1,
      "maxLength": 20000
     }
    },
    "additionalProperties": false,
    "required": [
     "direction",
     "channel",
     "kind",
     "content"
    ]
   },
   "Evidence": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "complaintId": {
      "type": "string",
      "format": "uuid"
     },
     "type": {
      "type": "string"
     },
     "source": {
      "type": "string"
     },
     "description": {
      "type": [
       "string",
       "null"
      ]
     },
     "collectedAt": {
      "type": "string",
      "format": "date-time"
     },
     "collectedBy": {
      "type": "string"
     },
     "contentType": {
      "type": [
       "string",
       "null"
      ]
     },
     "size": {
      "type": "integer"
     },
     "sha256": {
      "type": "string"
     },
     "recordedBy": {
      "type": "string",
      "format": "uuid"
     },
     "recordedAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "complaintId",
     "type",
     "source",
     "collectedAt",
     "collectedBy",
     "size",
     "sha256",
     "recordedBy",
     "recordedAt"
    ]
   },
   "NewEvidence": {
    "type": "object",
    "properties": {
     "type": {
      "type": "string",
      "enum": [
       "documentary",
       "electronic",
       "physical",
       "witness"
      ]
     },
     "source": {
      "type": "string",
      "minLength": 1,
      "maxLength": 500
     },
     "description": {
      "type": "string",
      "minLength": 1,
      "maxLength": 5000
     },
     "collectedAt": {
      "type": "string",
      "format": "date-time"
     },
     "collectedBy": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "contentType": {
      "type": "string",
      "maxLength": 200
     },
     "contentBase64": {
      "type": "string",
      "contentEncoding": "base64"
     }
    },
    "additionalProperties": false,
    "required": [
     "type",
     "source",
     "collectedAt",
     "collectedBy"
    ]
   },
   "Finding": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "complaintId": {
      "type": "string",
      "format": "uuid"
     },
     "basis": {
      "type": "string"
     },
     "directParties": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "indirectParties": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "summary": {
      "type": "string"
     },
     "accountability": {
      "type": [
       "string",
       "null"
      ]
     },
     "recordedBy": {
      "type": "string",
      "format": "uuid"
     },
     "recordedAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "complaintId",
     "basis",
     "directParties",
     "indirectParties",
     "summary",
     "recordedBy",
     "recordedAt"
    ]
   },
   "NewFinding": {
    "type": "object",
    "properties": {
     "basis": {
      "type": "string",
      "enum": [
       "fault",
       "strict_liability",
       "causation"
      ]
     },
     "directParties": {
      "type": "array",
      "maxItems": 20,
      "items": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      }
     },
     "indirectParties": {
      "type": "array",
      "maxItems": 20,
      "items": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      }
     },
     "summary": {
      "type": "string",
      "minLength": 1,
      "maxLength": 20000
     },
     "accountability": {
      "type": "string",
      "minLength": 1,
      "maxLength": 5000
     }
    },
    "additionalProperties": false,
    "required": [
     "basis",
     "summary"
    ]
   },
   "Plan": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "complaintId": {
      "type": "string",
      "format": "uuid"
     },
     "measures": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "description": {
      "type": "string"
     },
     "compensationAmount": {
      "type": [
       "number",
       "null"
      ]
     },
     "currency": {
      "type": [
       "string",
       "null"
      ]
     },
     "responsibleDepartmentId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "responsibleUserId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "dueAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "regulatorFilingRequired": {
      "type": "boolean"
     },
     "regulatorReference": {
      "type": [
       "string",
       "null"
      ]
     },
     "status": {
      "type": "string",
      "enum": [
       "proposed",
       "head_approved",
       "approved",
       "rejected"
      ]
     },
     "proposedBy": {
      "type": "string",
      "format": "uuid"
     },
     "proposedAt": {
      "type": "string",
      "format": "date-time"
     },
     "headApprovedBy": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "headApprovedAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "leadershipApprovedBy": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "leadershipApprovedAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "rejectedBy": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "rejectedAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "rejectionReason": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "complaintId",
     "measures",
     "description",
     "regulatorFilingRequired",
     "status",
     "proposedBy",
     "proposedAt"
    ]
   },
   "NewCategory": {
    "type": "object",
    "properties": {
     "code": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64,
      "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$"
     },
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "parentId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     }
    },
    "additionalProperties": false,
    "required": [
     "code",
     "name"
    ]
   },
   "CategoryChanges": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "active": {
      "type": "boolean"
     }
    },
    "additionalProperties": false
   },
   "RoutingRule": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "position": {
      "type": "integer"
     },
     "categoryId": {
      "type": "string",
      "format": "uuid"
     },
     "channel": {
      "type": [
       "string",
       "null"
      ]
     },
     "level": {
      "type": [
       "integer",
       "null"
      ]
     },
     "product": {
      "type": [
       "string",
       "null"
      ]
     },
     "departmentId": {
      "type": "string",
      "format": "uuid"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "position",
     "categoryId",
     "departmentId"
    ]
   },
   "NewRoutingRule": {
    "type": "object",
    "properties": {
     "position": {
      "type": "integer",
      "minimum": 0,
      "maximum": 100000
     },
     "categoryId": {
      "type": "string",
      "format": "uuid"
     },
     "channel": {
      "type": "string",
      "enum": [
       "phone",
       "web",
       "email",
       "visit",
       "sms",
       "chat",
       "social_media",
       "third_party",
       "app",
       "internal",
       "institutional"
      ]
     },
     "level": {
      "type": "integer",
      "minimum": 1,
      "maximum": 3
     },
     "product": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "departmentId": {
      "type": "string",
      "format": "uuid"
     }
    },
    "additionalProperties": false,
    "required": [
     "categoryId",
     "departmentId"
    ]
   },
   "Handover": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "at": {
      "type": "string",
      "format": "date-time"
     },
     "fromDepartmentId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "toDepartmentId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "fromUserId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "toUserId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "byUserId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "reason": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "at"
    ]
   },
   "Page": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "complaintId": {
      "type": "string",
      "format": "uuid"
     },
     "tier": {
      "type": "integer"
     },
     "rung": {
      "type": "integer",
      "description": "the ladder rung paged: the tier, or a later rung when re-paged"
     },
     "recipientKind": {
      "type": "string"
     },
     "recipientUserId": {
      "type": "string",
      "format": "uuid"
     },
     "late": {
      "type": "boolean"
     },
     "summary": {
      "type": "object",
      "description": "caseNumber, tier, dueAt, lateSeconds, status, priority, level, nature, categoryId, departmentId, receivedAt; never customer personal data"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "acknowledgedAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "complaintId",
     "tier",
     "rung",
     "recipientKind",
     "recipientUserId",
     "late",
     "summary",
     "createdAt"
    ]
   },
   "Escalation": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "complaintId": {
      "type": "string",
      "format": "uuid"
     },
     "caseNumber": {
      "type": "string"
     },
     "tier": {
      "type": "integer"
     },
     "dueAt": {
      "type": "string",
      "format": "date-time"
     },
     "recordedAt": {
      "type": "string",
      "format": "date-time"
     },
     "lateSeconds": {
      "type": "integer"
     },
     "departmentId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "followUpId": {
      "type": "string",
      "format": "uuid",
      "description": "the overdue follow-up escalated; absent for the complaint's own tiers"
     },
     "pages": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "userId": {
         "type": "string",
         "format": "uuid"
        },
        "kind": {
         "type": "string"
        },
        "acknowledgedAt": {
         "type": [
          "string",
          "null"
         ],
         "format": "date-time"
        }
       },
       "additionalProperties": false,
       "required": [
        "userId",
        "kind"
       ]
      }
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "complaintId",
     "caseNumber",
     "tier",
     "dueAt",
     "recordedAt",
     "lateSeconds",
     "pages"
    ]
   },
   "NewSLAPolicy": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "active": {
      "type": "boolean"
     },
     "categoryIds": {
      "type": [
       "array",
       "null"
      ],
      "maxItems": 200,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "format": "uuid"
      }
     },
     "priorities": {
      "type": [
       "array",
       "null"
      ],
      "maxItems": 3,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "enum": [
        "urgent",
        "important",
        "general"
       ]
      }
     },
     "levels": {
      "type": [
       "array",
       "null"
      ],
      "maxItems": 3,
      "uniqueItems": true,
      "items": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3
      }
     },
     "natures": {
      "type": [
       "array",
       "null"
      ],
      "maxItems": 2,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "enum": [
        "general",
        "major"
       ]
      }
     },
     "counting": {
      "type": "string",
      "enum": [
       "calendar_hours",
       "working_calendar"
      ]
     },
     "milestoneHours": {
      "type": "object",
      "properties": {
       "acknowledge": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       },
       "initial_reply": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       },
       "preliminary_feedback": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       }
      },
      "additionalProperties": false
     },
     "resultHours": {
      "type": "object",
      "properties": {
       "urgent": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       },
       "important": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       },
       "general": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       }
      },
      "additionalProperties": false,
      "required": [
       "urgent",
       "important",
       "general"
      ]
     },
     "ladder": {
      "type": "array",
      "minItems": 1,
      "maxItems": 20,
      "items": {
       "type": "object",
       "properties": {
        "tier": {
         "type": "integer",
         "minimum": 1
        },
        "afterHours": {
         "type": "integer",
         "minimum": 1,
         "maximum": 8760
        },
        "recipients": {
         "type": "array",
         "minItems": 1,
         "maxItems": 5,
         "uniqueItems": true,
         "items": {
          "type": "string",
          "enum": [
           "department_head",
           "branch_manager",
           "complaint_office",
           "executives",
           "bots"
          ]
         }
        }
       },
       "additionalProperties": false,
       "required": [
        "tier",
        "afterHours",
        "recipients"
       ]
      },
      "description": "tiers numbered 1, 2, 3… with rising afterHours"
     },
     "ackWindowMinutes": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1440,
      "description": "default 15"
     },
     "followUpHours": {
      "type": "integer",
      "minimum": 1,
      "maximum": 720,
      "description": "the satisfaction follow-up is due this long after the result is fed back; default 24"
     },
     "followUpCallbackDays": {
      "type": "array",
      "maxItems": 12,
      "uniqueItems": true,
      "items": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3660
      },
      "description": "long-term callbacks this many days after closing, e.g. [7, 30, 91]; none by default"
     }
    },
    "additionalProperties": false,
    "required": [
     "name",
     "counting",
     "milestoneHours",
     "resultHours",
     "ladder"
    ],
    "description": "Which complaints the policy covers (empty or absent conditions match any), how it counts time, its targets and its escalation ladder"
   },
   "SLAPolicy": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "active": {
      "type": "boolean"
     },
     "categoryIds": {
      "type": [
       "array",
       "null"
      ],
      "maxItems": 200,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "format": "uuid"
      }
     },
     "priorities": {
      "type": [
       "array",
       "null"
      ],
      "maxItems": 3,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "enum": [
        "urgent",
        "important",
        "general"
       ]
      }
     },
     "levels": {
      "type": [
       "array",
       "null"
      ],
      "maxItems": 3,
      "uniqueItems": true,
      "items": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3
      }
     },
     "natures": {
      "type": [
       "array",
       "null"
      ],
      "maxItems": 2,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "enum": [
        "general",
        "major"
       ]
      }
     },
     "counting": {
      "type": "string",
      "enum": [
       "calendar_hours",
       "working_calendar"
      ]
     },
     "milestoneHours": {
      "type": "object",
      "properties": {
       "acknowledge": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       },
       "initial_reply": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       },
       "preliminary_feedback": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       }
      },
      "additionalProperties": false
     },
     "resultHours": {
      "type": "object",
      "properties": {
       "urgent": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       },
       "important": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       },
       "general": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8760
       }
      },
      "additionalProperties": false,
      "required": [
       "urgent",
       "important",
       "general"
      ]
     },
     "ladder": {
      "type": "array",
      "minItems": 1,
      "maxItems": 20,
      "items": {
       "type": "object",
       "properties": {
        "tier": {
         "type": "integer",
         "minimum": 1
        },
        "afterHours": {
         "type": "integer",
         "minimum": 1,
         "maximum": 8760
        },
        "recipients": {
         "type": "array",
         "minItems": 1,
         "maxItems": 5,
         "uniqueItems": true,
         "items": {
          "type": "string",
          "enum": [
           "department_head",
           "branch_manager",
           "complaint_office",
           "executives",
           "bots"
          ]
         }
        }
       },
       "additionalProperties": false,
       "required": [
        "tier",
        "afterHours",
        "recipients"
       ]
      },
      "description": "tiers numbered 1, 2, 3… with rising afterHours"
     },
     "ackWindowMinutes": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1440,
      "description": "default 15"
     },
     "followUpHours": {
      "type": "integer",
      "minimum": 1,
      "maximum": 720,
      "description": "the satisfaction follow-up is due this long after the result is fed back; default 24"
     },
     "followUpCallbackDays": {
      "type": "array",
      "maxItems": 12,
      "uniqueItems": true,
      "items": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3660
      },
      "description": "long-term callbacks this many days after closing, e.g. [7, 30, 91]; none by default"
     },
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "updatedAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "name",
     "active",
     "counting",
     "milestoneHours",
     "resultHours",
     "ladder",
     "ackWindowMinutes",
     "followUpHours",
     "followUpCallbackDays",
     "updatedAt"
    ]
   },
   "CalendarChanges": {
    "type": "object",
    "properties": {
     "hours": {
      "type": "object",
      "properties": {
       "sunday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "monday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "tuesday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "wednesday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "thursday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "friday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "saturday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       }
      },
      "additionalProperties": false
     },
     "holidays": {
      "type": "array",
      "maxItems": 1000,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "format": "date"
      }
     },
     "makeUpDays": {
      "type": "array",
      "maxItems": 1000,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "format": "date"
      }
     }
    },
    "additionalProperties": false,
    "required": [
     "hours"
    ]
   },
   "Calendar": {
    "type": "object",
    "properties": {
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "timeZone": {
      "type": "string"
     },
     "hours": {
      "type": "object",
      "properties": {
       "sunday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "monday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "tuesday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "wednesday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "thursday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "friday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       },
       "saturday": {
        "type": "array",
        "maxItems": 8,
        "items": {
         "type": "string",
         "minLength": 11,
         "maxLength": 11,
         "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
        }
       }
      },
      "additionalProperties": false
     },
     "holidays": {
      "type": "array",
      "maxItems": 1000,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "format": "date"
      }
     },
     "makeUpDays": {
      "type": "array",
      "maxItems": 1000,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "format": "date"
      }
     },
     "updatedAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "branchId",
     "timeZone",
     "hours",
     "holidays",
     "makeUpDays",
     "updatedAt"
    ]
   },
   "NewWebhook": {
    "type": "object",
    "properties": {
     "userId": {
      "type": "string",
      "format": "uuid"
     },
     "url": {
      "type": "string",
      "minLength": 1,
      "maxLength": 2000,
      "format": "uri"
     }
    },
    "additionalProperties": false,
    "required": [
     "userId",
     "url"
    ]
   },
   "WebhookChanges": {
    "type": "object",
    "properties": {
     "url": {
      "type": "string",
      "minLength": 1,
      "maxLength": 2000,
      "format": "uri"
     },
     "active": {
      "type": "boolean"
     },
     "rotateSecret": {
      "type": "boolean"
     }
    },
    "additionalProperties": false
   },
   "Webhook": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "userId": {
      "type": "string",
      "format": "uuid"
     },
     "url": {
      "type": "string"
     },
     "active": {
      "type": "boolean"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "updatedAt": {
      "type": "string",
      "format": "date-time"
     },
     "secret": {
      "type": "string",
      "description": "the signing secret; only in the answer that created or rotated it"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "userId",
     "url",
     "active",
     "createdAt",
     "updatedAt"
    ]
   },
   "Delivery": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "pageId": {
      "type": "string",
      "format": "uuid"
     },
     "state": {
      "type": "string",
      "enum": [
       "pending",
       "delivered",
       "dead"
      ]
     },
     "attempts": {
      "type": "integer"
     },
     "nextAttemptAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "lastError": {
      "type": [
       "string",
       "null"
      ]
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "finishedAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "history": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "attempt": {
         "type": "integer"
        },
        "startedAt": {
         "type": "string",
         "format": "date-time"
        },
        "durationMs": {
         "type": "integer"
        },
        "statusCode": {
         "type": [
          "integer",
          "null"
         ]
        },
        "error": {
         "type": [
          "string",
          "null"
         ]
        }
       },
       "additionalProperties": false,
       "required": [
        "attempt",
        "startedAt",
        "durationMs"
       ]
      }
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "pageId",
     "state",
     "attempts",
     "createdAt",
     "history"
    ]
   },
   "AuditEntry": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "at": {
      "type": "string",
      "format": "date-time"
     },
     "actorId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "actorRoles": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "requestId": {
      "type": [
       "string",
       "null"
      ]
     },
     "action": {
      "type": "string",
      "enum": [
       "insert",
       "update",
       "delete",
       "read",
       "export"
      ]
     },
     "entity": {
      "type": "string"
     },
     "entityId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "before": {
      "description": "the row before (secrets and evidence content left out)"
     },
     "after": {
      "description": "the row after, or what was read or exported"
     },
     "seq": {
      "type": [
       "integer",
       "null"
      ],
      "description": "place in the branch's hash chain once sealed"
     },
     "hash": {
      "type": [
       "string",
       "null"
      ],
      "description": "SHA-256 (hex) of the entry and the previous entry's hash"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "at",
     "actorRoles",
     "action",
     "entity"
    ]
   },
   "FollowUp": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "format": "uuid"
     },
     "branchId": {
      "type": "string",
      "format": "uuid"
     },
     "complaintId": {
      "type": "string",
      "format": "uuid"
     },
     "caseNumber": {
      "type": "string"
     },
     "complaintStatus": {
      "type": "string",
      "enum": [
       "received",
       "acknowledged",
       "graded",
       "assigned",
       "investigating",
       "plan_proposed",
       "plan_head_approved",
       "plan_approved",
       "implementing",
       "result_fed_back",
       "follow_up",
       "awaiting_customer",
       "closed",
       "archived"
      ]
     },
     "departmentId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "kind": {
      "type": "string",
      "enum": [
       "satisfaction",
       "callback"
      ]
     },
     "dueAt": {
      "type": "string",
      "format": "date-time"
     },
     "status": {
      "type": "string",
      "enum": [
       "due",
       "done",
       "cancelled"
      ]
     },
     "overdue": {
      "type": "boolean"
     },
     "escalatedAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "surveyId": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "completedBy": {
      "type": [
       "string",
       "null"
      ],
      "format": "uuid"
     },
     "completedAt": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "additionalProperties": false,
    "required": [
     "id",
     "branchId",
     "complaintId",
     "caseNumber",
     "complaintStatus",
     "kind",
     "dueAt",
     "status",
     "overdue",
     "createdAt"
    ]
   },
   "Outcome": {
    "type": "object",
    "properties": {
     "method": {
      "type": "string",
      "enum": [
       "phone",
       "sms",
       "email",
       "visit",
       "online_questionnaire"
      ]
     },
     "score": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10
     },
     "attitude": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10
     },
     "efficiency": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10
     },
     "outcome": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10
     },
     "comments": {
      "type": "string",
      "minLength": 1,
      "maxLength": 5000
     },
     "note": {
      "type": "string",
      "minLength": 1,
      "maxLength": 5000
     }
    },
    "additionalProperties": false,
    "required": [
     "method",
     "score"
    ],
    "description": "The customer's answer: 6 or more closes the complaint, less reopens it for secondary handling"
   },
   "OutcomeResult": {
    "type": "object",
    "properties": {
     "followUp": {
      "$ref": "#/components/schemas/FollowUp"
     },
     "complaint": {
      "$ref": "#/components/schemas/Complaint"
     }
    },
    "additionalProperties": false,
    "required": [
     "followUp",
     "complaint"
    ]
   },
   "ReportFigures": {
    "type": "object",
    "properties": {
     "received": {
      "type": "integer"
     },
     "open": {
      "type": "integer"
     },
     "resolved": {
      "type": "integer"
     },
     "resolutionRate": {
      "type": "number"
     },
     "invalid": {
      "type": "integer"
     },
     "repeats": {
      "type": "integer"
     },
     "repeatRate": {
      "type": "number"
     },
     "escalated": {
      "type": "integer"
     },
     "escalationsByTier": {
      "type": "object",
      "additionalProperties": {
       "type": "integer"
      },
      "description": "complaints escalated to each tier, by tier number"
     },
     "milestones": {
      "type": "object",
      "properties": {
       "acknowledge": {
        "type": "object",
        "properties": {
         "due": {
          "type": "integer"
         },
         "onTime": {
          "type": "integer"
         },
         "rate": {
          "type": "number"
         }
        },
        "additionalProperties": false,
        "required": [
         "due",
         "onTime"
        ]
       },
       "initial_reply": {
        "type": "object",
        "properties": {
         "due": {
          "type": "integer"
         },
         "onTime": {
          "type": "integer"
         },
         "rate": {
          "type": "number"
         }
        },
        "additionalProperties": false,
        "required": [
         "due",
         "onTime"
        ]
       },
       "preliminary_feedback": {
        "type": "object",
        "properties": {
         "due": {
          "type": "integer"
         },
         "onTime": {
          "type": "integer"
         },
         "rate": {
          "type": "number"
         }
        },
        "additionalProperties": false,
        "required": [
         "due",
         "onTime"
        ]
       },
       "result": {
        "type": "object",
        "properties": {
         "due": {
          "type": "integer"
         },
         "onTime": {
          "type": "integer"
         },
         "rate": {
          "type": "number"
         }
        },
        "additionalProperties": false,
        "required": [
         "due",
         "onTime"
        ]
       }
      },
      "additionalProperties": false,
      "required": [
       "acknowledge",
       "initial_reply",
       "preliminary_feedback",
       "result"
      ]
     },
     "firstReplyMedianSeconds": {
      "type": "number"
     },
     "firstReplyP90Seconds": {
      "type": "number"
     },
     "resolutionMedianSeconds": {
      "type": "number"
     },
     "resolutionP90Seconds": {
      "type": "number"
     },
     "surveyed": {
      "type": "integer"
     },
     "satisfactionAverage": {
      "type": "number"
     },
     "satisfied": {
      "type": "integer"
     },
     "basicallySatisfied": {
      "type": "integer"
     },
     "dissatisfied": {
      "type": "integer"
     },
     "satisfactionRate": {
      "type": "number"
     }
    },
    "additionalProperties": false,
    "required": [
     "received",
     "open",
     "resolved",
     "invalid",
     "repeats",
     "escalated",
     "escalationsByTier",
     "milestones",
     "surveyed",
     "satisfied",
     "basicallySatisfied",
     "dissatisfied"
    ],
    "description": "Counted over the complaints received in the period; a rate or time is absent when there is nothing to compute it from"
   },
   "ReportChange": {
    "type": "object",
    "properties": {
     "received": {
      "type": "integer"
     },
     "receivedRelative": {
      "type": "number"
     },
     "resolved": {
      "type": "integer"
     },
     "resolutionRate": {
      "type": "number"
     },
     "resultOnTimeRate": {
      "type": "number"
     },
     "satisfactionAverage": {
      "type": "number"
     },
     "repeatRate": {
      "type": "number"
     },
     "escalated": {
      "type": "integer"
     }
    },
    "additionalProperties": false,
    "required": [
     "received",
     "resolved",
     "escalated"
    ],
    "description": "This period minus the previous one"
   },
   "ReportRow": {
    "type": "object",
    "properties": {
     "key": {
      "type": "string",
      "description": "the group's id, code, channel or level; absent for the totals"
     },
     "label": {
      "type": "string"
     },
     "current": {
      "$ref": "#/components/schemas/ReportFigures"
     },
     "previous": {
      "$ref": "#/components/schemas/ReportFigures"
     },
     "change": {
      "$ref": "#/components/schemas/ReportChange"
     }
    },
    "additionalProperties": false,
    "required": [
     "current",
     "previous",
     "change"
    ]
   },
   "ComplaintReport": {
    "type": "object",
    "properties": {
     "period": {
      "type": "object",
      "properties": {
       "kind": {
        "type": "string",
        "enum": [
         "day",
         "week",
         "month",
         "quarter",
         "custom"
        ]
       },
       "from": {
        "type": "string",
        "format": "date"
       },
       "to": {
        "type": "string",
        "format": "date"
       },
       "previousFrom": {
        "type": "string",
        "format": "date"
       },
       "previousTo": {
        "type": "string",
        "format": "date"
       }
      },
      "additionalProperties": false,
      "required": [
       "kind",
       "from",
       "to",
       "previousFrom",
       "previousTo"
      ]
     },
     "groupBy": {
      "type": "string",
      "enum": [
       "none",
       "branch",
       "department",
       "category",
       "channel",
       "level",
       "responsible"
      ]
     },
     "filter": {
      "type": "object",
      "properties": {
       "branchId": {
        "type": "string",
        "format": "uuid"
       },
       "departmentId": {
        "type": "string",
        "format": "uuid"
       },
       "category": {
        "type": "string"
       },
       "channel": {
        "type": "string"
       },
       "level": {
        "type": "integer"
       }
      },
      "additionalProperties": false
     },
     "totals": {
      "$ref": "#/components/schemas/ReportRow"
     },
     "groups": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/ReportRow"
      }
     },
     "topCategories": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "code": {
         "type": "string"
        },
        "name": {
         "type": "string"
        },
        "received": {
         "type": "integer"
        },
        "previous": {
         "type": "integer"
        }
       },
       "additionalProperties": false,
       "required": [
        "code",
        "received",
        "previous"
       ]
      }
     }
    },
    "additionalProperties": false,
    "required": [
     "period",
     "groupBy",
     "filter",
     "totals",
     "groups",
     "topCategories"
    ]
   },
   "ComplaintExportRow": {
    "type": "object",
    "properties": {
     "caseNumber": {
      "type": "string"
     },
     "receivedAt": {
      "type": "string",
      "format": "date-time"
     },
     "channel": {
      "type": "string"
     },
     "source": {
      "type": "string"
     },
     "customerType": {
      "type": "string"
     },
     "category": {
      "type": "string"
     },
     "level": {
      "type": "integer"
     },
     "nature": {
      "type": "string"
     },
     "priority": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "received",
       "acknowledged",
       "graded",
       "assigned",
       "investigating",
       "plan_proposed",
       "plan_head_approved",
       "plan_approved",
       "implementing",
       "result_fed_back",
       "follow_up",
       "awaiting_customer",
       "closed",
       "archived"
      ]
     },
     "department": {
      "type": "string"
     },
     "responsibleUserId": {
      "type": "string",
      "format": "uuid"
     },
     "dueAt": {
      "type": "string",
      "format": "date-time"
     },
     "closedAt": {
      "type": "string",
      "format": "date-time"
     },
     "reopenCount": {
      "type": "integer"
     },
     "satisfaction": {
      "type": "integer"
     }
    },
    "additionalProperties": false,
    "required": [
     "caseNumber",
     "receivedAt",
     "channel",
     "source",
     "customerType",
     "nature",
     "priority",
     "status",
     "reopenCount"
    ],
    "description": "A complaint without the customer's personal data"
   },
   "ComplaintExport": {
    "type": "array",
    "items": {
     "$ref": "#/components/schemas/ComplaintExportRow"
    }
   },
   "PhoneSearch": {
    "type": "object",
    "properties": {
     "phone": {
      "type": "string",
      "minLength": 1,
      "maxLength": 40,
      "description": "the customer's phone number, any spacing; 5 to 20 digits"
     }
    },
    "additionalProperties": false,
    "required": [
     "phone"
    ],
    "description": "A phone lookup, sent in a body so numbers stay out of URLs and access logs"
   },
   "FollowUpPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/FollowUp"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "AuditEntryPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/AuditEntry"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "SLAPolicyPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/SLAPolicy"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "WebhookPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Webhook"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "DeliveryPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Delivery"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "PagePage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Page"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "EscalationPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Escalation"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "RoutingRulePage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/RoutingRule"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "HandoverPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Handover"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "BranchPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Branch"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "DepartmentPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Department"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "UserPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/User"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "APIKeyPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/APIKey"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "CategoryPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Category"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "ComplaintPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Complaint"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "EventPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Event"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "CommunicationPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Communication"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "EvidencePage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Evidence"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "FindingPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Finding"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   },
   "PlanPage": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Plan"
      }
     },
     "nextCursor": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "additionalProperties": false,
    "required": [
     "items"
    ]
   }
  }
 },
 "paths": {
  "/healthz": {
   "get": {
    "summary": "The process is up",
    "responses": {
     "200": {
      "description": "OK"
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "security": [],
    "tags": [
     "health"
    ]
   }
  },
  "/readyz": {
   "get": {
    "summary": "Database reachable and migrations current",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Readiness"
        }
       }
      }
     },
     "503": {
      "description": "Not ready",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Readiness"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "security": [],
    "tags": [
     "health"
    ]
   }
  },
  "/v1/openapi.json": {
   "get": {
    "summary": "This document",
    "responses": {
     "200": {
      "description": "OK"
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "security": [],
    "tags": [
     "meta"
    ]
   }
  },
  "/v1/auth/sign-in": {
   "post": {
    "summary": "Sign in with a password",
    "responses": {
     "201": {
      "description": "Signed in",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SignedIn"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SignIn"
       }
      }
     }
    },
    "security": [],
    "tags": [
     "auth"
    ]
   }
  },
  "/v1/auth/sign-out": {
   "post": {
    "summary": "End the current session",
    "responses": {
     "204": {
      "description": "Signed out"
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "tags": [
     "auth"
    ]
   }
  },
  "/v1/me": {
   "get": {
    "summary": "The caller",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Me"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "tags": [
     "auth"
    ]
   }
  },
  "/v1/branches": {
   "get": {
    "summary": "Branches in scope",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BranchPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "tags": [
     "directory"
    ]
   }
  },
  "/v1/branches/{id}": {
   "get": {
    "summary": "One branch",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Branch"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   },
   "patch": {
    "summary": "Change a branch (admin)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Branch"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/BranchChanges"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   }
  },
  "/v1/departments": {
   "get": {
    "summary": "Departments in scope",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DepartmentPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 1024
      }
     },
     {
      "name": "branchId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   },
   "post": {
    "summary": "Create a department (admin)",
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Department"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewDepartment"
       }
      }
     }
    },
    "tags": [
     "directory"
    ]
   }
  },
  "/v1/departments/{id}": {
   "get": {
    "summary": "One department",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Department"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   },
   "patch": {
    "summary": "Change a department (admin)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Department"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/DepartmentChanges"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   },
   "delete": {
    "summary": "Delete a department (admin)",
    "responses": {
     "204": {
      "description": "Deleted"
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   }
  },
  "/v1/users": {
   "get": {
    "summary": "People in scope",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/UserPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 1024
      }
     },
     {
      "name": "departmentId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   },
   "post": {
    "summary": "Create a user (admin)",
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/User"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewUser"
       }
      }
     }
    },
    "tags": [
     "directory"
    ]
   }
  },
  "/v1/users/{id}": {
   "get": {
    "summary": "One user",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/User"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   },
   "patch": {
    "summary": "Change a user (admin)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/User"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/UserChanges"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   },
   "delete": {
    "summary": "Delete a user (admin)",
    "responses": {
     "204": {
      "description": "Deleted"
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   }
  },
  "/v1/api-keys": {
   "get": {
    "summary": "Bot API keys in scope",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/APIKeyPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 1024
      }
     }
    ],
    "tags": [
     "directory"
    ]
   },
   "post": {
    "summary": "Issue a bot API key (admin)",
    "responses": {
     "201": {
      "description": "Issued",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/IssuedAPIKey"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewAPIKey"
       }
      }
     }
    },
    "tags": [
     "directory"
    ]
   }
  },
  "/v1/api-keys/{id}": {
   "delete": {
    "summary": "Revoke a bot API key (admin)",
    "responses": {
     "204": {
      "description": "Revoked"
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "directory"
    ]
   }
  },
  "/v1/categories": {
   "get": {
    "summary": "Complaint categories in scope",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CategoryPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "tags": [
     "configuration"
    ]
   },
   "post": {
    "summary": "Add a category (admin)",
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Category"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewCategory"
       }
      }
     }
    },
    "tags": [
     "configuration"
    ]
   }
  },
  "/v1/categories/{id}": {
   "patch": {
    "summary": "Rename or (de)activate a category (admin)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Category"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CategoryChanges"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "configuration"
    ]
   }
  },
  "/v1/routing-rules": {
   "get": {
    "summary": "Routing rules in scope",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RoutingRulePage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "tags": [
     "configuration"
    ]
   },
   "post": {
    "summary": "Add a routing rule (admin)",
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RoutingRule"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewRoutingRule"
       }
      }
     }
    },
    "tags": [
     "configuration"
    ]
   }
  },
  "/v1/routing-rules/{id}": {
   "delete": {
    "summary": "Remove a routing rule (admin)",
    "responses": {
     "204": {
      "description": "Deleted"
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "configuration"
    ]
   }
  },
  "/v1/pages": {
   "get": {
    "summary": "Pages addressed to the caller (open ones unless all=true)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PagePage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "all",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     }
    ],
    "tags": [
     "escalation"
    ]
   }
  },
  "/v1/pages/stream": {
   "get": {
    "summary": "The caller's open pages, then each new one, as server-sent events (event: page, data: a Page)",
    "responses": {
     "200": {
      "description": "An event stream",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "tags": [
     "escalation"
    ]
   }
  },
  "/v1/webhooks": {
   "get": {
    "summary": "Webhooks of the caller's branch (admin)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookPage"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "tags": [
     "escalation"
    ]
   },
   "post": {
    "summary": "Post a recipient's pages to a URL, signed (admin); the secret is in this answer only",
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Webhook"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewWebhook"
       }
      }
     }
    },
    "tags": [
     "escalation"
    ]
   }
  },
  "/v1/webhooks/{id}": {
   "patch": {
    "summary": "Change, (de)activate or rotate the secret of a webhook (admin)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Webhook"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/WebhookChanges"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "escalation"
    ]
   }
  },
  "/v1/webhooks/{id}/deliveries": {
   "get": {
    "summary": "Deliveries of a webhook with every attempt, newest first (admin)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DeliveryPage"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "state",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "pending",
        "delivered",
        "dead"
       ]
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     }
    ],
    "tags": [
     "escalation"
    ]
   }
  },
  "/v1/audit": {
   "get": {
    "summary": "The audit trail of the branches the caller audits, newest first (auditors)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AuditEntryPage"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "entity",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 64,
       "pattern": "^[a-z_]+$"
      }
     },
     {
      "name": "entityId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 20,
       "pattern": "^[0-9]+$"
      }
     }
    ],
    "tags": [
     "audit"
    ]
   }
  },
  "/v1/sla-policies": {
   "get": {
    "summary": "SLA policies in scope",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SLAPolicyPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "tags": [
     "configuration"
    ]
   },
   "post": {
    "summary": "Add an SLA policy (admin); open complaints are recomputed",
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SLAPolicy"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewSLAPolicy"
       }
      }
     }
    },
    "tags": [
     "configuration"
    ]
   }
  },
  "/v1/sla-policies/{id}": {
   "get": {
    "summary": "One SLA policy",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SLAPolicy"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "configuration"
    ]
   },
   "put": {
    "summary": "Replace an SLA policy (admin); open complaints are recomputed",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SLAPolicy"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewSLAPolicy"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "configuration"
    ]
   }
  },
  "/v1/branches/{id}/calendar": {
   "get": {
    "summary": "A branch's working calendar",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Calendar"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "configuration"
    ]
   },
   "put": {
    "summary": "Replace a branch's working calendar (admin); open complaints are recomputed",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Calendar"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CalendarChanges"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "configuration"
    ]
   }
  },
  "/v1/pages/{id}/acknowledge": {
   "post": {
    "summary": "Acknowledge a page addressed to the caller",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Page"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "escalation"
    ]
   }
  },
  "/v1/escalations": {
   "get": {
    "summary": "Escalations of the complaints in scope, with who was paged",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EscalationPage"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "unacknowledged",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "myDepartments",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     }
    ],
    "tags": [
     "escalation"
    ]
   }
  },
  "/v1/follow-ups": {
   "get": {
    "summary": "Satisfaction follow-ups and callbacks in scope, earliest due first",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FollowUpPage"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 1024
      }
     },
     {
      "name": "status",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "due",
        "done",
        "cancelled"
       ]
      }
     },
     {
      "name": "overdue",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "complaintId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "follow-up"
    ]
   }
  },
  "/v1/follow-ups/{id}": {
   "get": {
    "summary": "One follow-up",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FollowUp"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "follow-up"
    ]
   }
  },
  "/v1/follow-ups/{id}/outcome": {
   "post": {
    "summary": "Record the customer's answer to a due follow-up: 6 or more closes the complaint, less reopens it",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/OutcomeResult"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Outcome"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "follow-up"
    ]
   }
  },
  "/v1/reports/complaints": {
   "get": {
    "summary": "Complaint figures for a period and the one before it, in total and by group, within the caller's scope",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ComplaintReport"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "period",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "day",
        "week",
        "month",
        "quarter",
        "custom"
       ]
      }
     },
     {
      "name": "date",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date",
       "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "from",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date",
       "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "to",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date",
       "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "branchId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "departmentId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "category",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 64,
       "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$"
      }
     },
     {
      "name": "channel",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "phone",
        "web",
        "email",
        "visit",
        "sms",
        "chat",
        "social_media",
        "third_party",
        "app",
        "internal",
        "institutional"
       ]
      }
     },
     {
      "name": "level",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3
      }
     },
     {
      "name": "groupBy",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "none",
        "branch",
        "department",
        "category",
        "channel",
        "level",
        "responsible"
       ]
      }
     }
    ],
    "tags": [
     "reports"
    ]
   }
  },
  "/v1/reports/handlers": {
   "get": {
    "summary": "Each responsible person's figures (department heads and above)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ComplaintReport"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "period",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "day",
        "week",
        "month",
        "quarter",
        "custom"
       ]
      }
     },
     {
      "name": "date",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date",
       "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "from",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date",
       "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "to",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date",
       "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "branchId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "departmentId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "category",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 64,
       "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$"
      }
     },
     {
      "name": "channel",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "phone",
        "web",
        "email",
        "visit",
        "sms",
        "chat",
        "social_media",
        "third_party",
        "app",
        "internal",
        "institutional"
       ]
      }
     },
     {
      "name": "level",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3
      }
     }
    ],
    "tags": [
     "reports"
    ]
   }
  },
  "/v1/exports/report": {
   "get": {
    "summary": "The complaint report as a CSV or JSON download; recorded in the audit trail",
    "responses": {
     "200": {
      "description": "The report",
      "content": {
       "text/csv": {
        "schema": {
         "type": "string"
        }
       },
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ComplaintReport"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "period",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "day",
        "week",
        "month",
        "quarter",
        "custom"
       ]
      }
     },
     {
      "name": "date",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date",
       "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "from",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date",
       "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "to",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date",
       "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "branchId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "departmentId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "category",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 64,
       "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$"
      }
     },
     {
      "name": "channel",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "phone",
        "web",
        "email",
        "visit",
        "sms",
        "chat",
        "social_media",
        "third_party",
        "app",
        "internal",
        "institutional"
       ]
      }
     },
     {
      "name": "level",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3
      }
     },
     {
      "name": "format",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "csv",
        "json"
       ]
      }
     },
     {
      "name": "bom",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "groupBy",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "none",
        "branch",
        "department",
        "category",
        "channel",
        "level",
        "responsible"
       ]
      }
     }
    ],
    "tags": [
     "reports"
    ]
   }
  },
  "/v1/exports/complaints": {
   "get": {
    "summary": "Complaints as a CSV or JSON download, without personal data; recorded in the audit trail",
    "responses": {
     "200": {
      "description": "The complaints",
      "content": {
       "text/csv": {
        "schema": {
         "type": "string"
        }
       },
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ComplaintExport"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "status",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "received",
        "acknowledged",
        "graded",
        "assigned",
        "investigating",
        "plan_proposed",
        "plan_head_approved",
        "plan_approved",
        "implementing",
        "result_fed_back",
        "follow_up",
        "awaiting_customer",
        "closed",
        "archived"
       ]
      }
     },
     {
      "name": "departmentId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "myDepartments",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "assignedToMe",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "categoryId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "level",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3
      }
     },
     {
      "name": "priority",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "urgent",
        "important",
        "general"
       ]
      }
     },
     {
      "name": "channel",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "phone",
        "web",
        "email",
        "visit",
        "sms",
        "chat",
        "social_media",
        "third_party",
        "app",
        "internal",
        "institutional"
       ]
      }
     },
     {
      "name": "receivedFrom",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "name": "receivedBefore",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "name": "q",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      }
     },
     {
      "name": "overdue",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "sort",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "received",
        "due"
       ]
      }
     },
     {
      "name": "format",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "csv",
        "json"
       ]
      }
     },
     {
      "name": "bom",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     }
    ],
    "tags": [
     "reports"
    ]
   }
  },
  "/v1/exports/complaints/search": {
   "post": {
    "summary": "The complaints of one customer's phone number as a CSV or JSON download (roles that see phone numbers in full; every lookup is audited)",
    "responses": {
     "200": {
      "description": "The complaints",
      "content": {
       "text/csv": {
        "schema": {
         "type": "string"
        }
       },
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ComplaintExport"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PhoneSearch"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "status",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "received",
        "acknowledged",
        "graded",
        "assigned",
        "investigating",
        "plan_proposed",
        "plan_head_approved",
        "plan_approved",
        "implementing",
        "result_fed_back",
        "follow_up",
        "awaiting_customer",
        "closed",
        "archived"
       ]
      }
     },
     {
      "name": "departmentId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "myDepartments",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "assignedToMe",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "categoryId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "level",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3
      }
     },
     {
      "name": "priority",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "urgent",
        "important",
        "general"
       ]
      }
     },
     {
      "name": "channel",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "phone",
        "web",
        "email",
        "visit",
        "sms",
        "chat",
        "social_media",
        "third_party",
        "app",
        "internal",
        "institutional"
       ]
      }
     },
     {
      "name": "receivedFrom",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "name": "receivedBefore",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "name": "q",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      }
     },
     {
      "name": "overdue",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "sort",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "received",
        "due"
       ]
      }
     },
     {
      "name": "format",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "csv",
        "json"
       ]
      }
     },
     {
      "name": "bom",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     }
    ],
    "tags": [
     "reports"
    ]
   }
  },
  "/v1/complaints/{id}/handovers": {
   "get": {
    "summary": "Every hand-over of responsibility",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/HandoverPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "complaints"
    ]
   }
  },
  "/v1/complaints": {
   "get": {
    "summary": "Complaints in scope, newest first",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ComplaintPage"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 1024
      }
     },
     {
      "name": "status",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "received",
        "acknowledged",
        "graded",
        "assigned",
        "investigating",
        "plan_proposed",
        "plan_head_approved",
        "plan_approved",
        "implementing",
        "result_fed_back",
        "follow_up",
        "awaiting_customer",
        "closed",
        "archived"
       ]
      }
     },
     {
      "name": "departmentId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "myDepartments",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "assignedToMe",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "categoryId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "level",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3
      }
     },
     {
      "name": "priority",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "urgent",
        "important",
        "general"
       ]
      }
     },
     {
      "name": "channel",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "phone",
        "web",
        "email",
        "visit",
        "sms",
        "chat",
        "social_media",
        "third_party",
        "app",
        "internal",
        "institutional"
       ]
      }
     },
     {
      "name": "receivedFrom",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "name": "receivedBefore",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "name": "q",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      }
     },
     {
      "name": "overdue",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "sort",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "received",
        "due"
       ]
      }
     }
    ],
    "tags": [
     "complaints"
    ]
   },
   "post": {
    "summary": "Take a complaint in",
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Complaint"
        }
       }
      }
     },
     "200": {
      "description": "An earlier intake with the same Idempotency-Key",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Complaint"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Intake"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      }
     }
    ],
    "tags": [
     "complaints"
    ]
   }
  },
  "/v1/complaints/search": {
   "post": {
    "summary": "Complaints of one customer's phone number, found through its blind index (roles that see phone numbers in full; every lookup is audited; the query string takes the list's filters)",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ComplaintPage"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PhoneSearch"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 1024
      }
     },
     {
      "name": "status",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "received",
        "acknowledged",
        "graded",
        "assigned",
        "investigating",
        "plan_proposed",
        "plan_head_approved",
        "plan_approved",
        "implementing",
        "result_fed_back",
        "follow_up",
        "awaiting_customer",
        "closed",
        "archived"
       ]
      }
     },
     {
      "name": "departmentId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "myDepartments",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "assignedToMe",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "categoryId",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "level",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 3
      }
     },
     {
      "name": "priority",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "urgent",
        "important",
        "general"
       ]
      }
     },
     {
      "name": "channel",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "phone",
        "web",
        "email",
        "visit",
        "sms",
        "chat",
        "social_media",
        "third_party",
        "app",
        "internal",
        "institutional"
       ]
      }
     },
     {
      "name": "receivedFrom",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "name": "receivedBefore",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "name": "q",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      }
     },
     {
      "name": "overdue",
      "in": "query",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "sort",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "received",
        "due"
       ]
      }
     }
    ],
    "tags": [
     "complaints"
    ]
   }
  },
  "/v1/complaints/{id}": {
   "get": {
    "summary": "One complaint",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Complaint"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "complaints"
    ]
   },
   "patch": {
    "summary": "Re-classify an open complaint",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Complaint"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Classification"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "complaints"
    ]
   }
  },
  "/v1/complaints/{id}/timeline": {
   "get": {
    "summary": "Every change of the complaint",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EventPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "complaints"
    ]
   }
  },
  "/v1/complaints/{id}/actions/{action}": {
   "post": {
    "summary": "Take a lifecycle step",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Complaint"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "409": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Step"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "action",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "enum": [
        "acknowledge",
        "grade",
        "assign",
        "reassign",
        "start_investigation",
        "propose_plan",
        "approve_plan",
        "reject_plan",
        "start_implementation",
        "feed_back_result",
        "resolve_on_the_spot",
        "start_follow_up",
        "record_satisfaction",
        "close",
        "mark_invalid",
        "reopen",
        "await_customer",
        "resume",
        "archive"
       ]
      }
     }
    ],
    "tags": [
     "complaints"
    ]
   }
  },
  "/v1/complaints/{id}/communications": {
   "get": {
    "summary": "The communications log",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CommunicationPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "case work"
    ]
   },
   "post": {
    "summary": "Log a communication",
    "responses": {
     "201": {
      "description": "Logged",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Communication"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewCommunication"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "case work"
    ]
   }
  },
  "/v1/complaints/{id}/evidence": {
   "get": {
    "summary": "Evidence, without content",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EvidencePage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "case work"
    ]
   },
   "post": {
    "summary": "Record evidence (content up to 1 MiB, base64)",
    "responses": {
     "201": {
      "description": "Recorded",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Evidence"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "413": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewEvidence"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "case work"
    ]
   }
  },
  "/v1/complaints/{id}/evidence/{evidenceId}/content": {
   "get": {
    "summary": "The stored content of a piece of evidence",
    "responses": {
     "200": {
      "description": "The content",
      "content": {
       "application/octet-stream": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     },
     {
      "name": "evidenceId",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "case work"
    ]
   }
  },
  "/v1/complaints/{id}/findings": {
   "get": {
    "summary": "Responsibility findings",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FindingPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "case work"
    ]
   },
   "post": {
    "summary": "Record a responsibility finding",
    "responses": {
     "201": {
      "description": "Recorded",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Finding"
        }
       }
      }
     },
     "403": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewFinding"
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "case work"
    ]
   }
  },
  "/v1/complaints/{id}/plans": {
   "get": {
    "summary": "Handling plans with their approval chains",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PlanPage"
        }
       }
      }
     },
     "400": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "401": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "404": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "422": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     },
     "429": {
      "description": "Problem",
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "format": "uuid"
      }
     }
    ],
    "tags": [
     "case work"
    ]
   }
  }
 }
}
"""#
}
