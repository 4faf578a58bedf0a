// The out-of-line special members and accessors of libphi's public value
// classes: each holds only a pointer to its Impl, so fields can be added
// without changing the class's size (docs/embedding.md, "ABI rules").
// A moved-from object may only be destroyed or assigned to. (The arguments
// are class and member names, which cannot be parenthesized.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#pragma once

#include <memory>
#include <utility>

#define PHI_VALUE_CLASS_MEMBERS(Class)                                              \
  Class::~Class() = default;                                                        \
  Class::Class(const Class& other) : impl_(std::make_unique<Impl>(*other.impl_)) {} \
  Class& Class::operator=(const Class& other) {                                     \
    if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);               \
    return *this;                                                                   \
  }                                                                                 \
  Class::Class(Class&& other) noexcept : impl_(std::move(other.impl_)) {}           \
  Class& Class::operator=(Class&& other) noexcept {                                 \
    impl_.swap(other.impl_);                                                        \
    return *this;                                                                   \
  }

// A getter returning `GetType` and a chaining setter taking `SetType`.
#define PHI_FIELD(Class, GetType, SetType, getter, setter, field) \
  GetType Class::getter() const noexcept {                        \
    return impl_->field;                                          \
  }                                                               \
  Class& Class::setter(SetType value) {                           \
    impl_->field = std::move(value);                              \
    return *this;                                                 \
  }

#define PHI_GETTER(Class, GetType, getter, field) \
  GetType Class::getter() const noexcept {        \
    return impl_->field;                          \
  }
// NOLINTEND(bugprone-macro-parentheses)
